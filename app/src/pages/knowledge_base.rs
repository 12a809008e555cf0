//! The knowledge base: `/kb` lists the account's articles and the caller's resolved sessions
//! still to write up (with the plan's quota), `/kb/:article_id` reads one. `/kb?write=ID` opens
//! the write-up of that session straight away (the pilot page links there).

use crate::api::loaded::loaded;
use crate::components::call::Call;
use crate::components::ui::{error_note, input_class, PRIMARY, SECONDARY};
use crate::{
    api::kb::{convert_session, draft_article, get_article, list_articles},
    components::{
        badges::TicketBadge,
        dialog::Dialog,
        time::{ago, when},
        visitor::{use_api, LoadError, RequireUser},
    },
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use vocab::{
    error::{ApiError, ErrorCode},
    ids::{ArticleId, SessionId},
    kb::{KbArticleItem, KbCandidate, KbDraft, KbQuota, KnowledgeBase, KB_SECTIONS},
};

#[component]
pub fn KnowledgeBasePage() -> impl IntoView {
    view! {
        <Title text="Knowledge base" />
        <RequireUser>
            <KnowledgeBaseView />
        </RequireUser>
    }
}

#[component]
fn KnowledgeBaseView() -> impl IntoView {
    let kb = loaded(|| (), |_| list_articles());
    view! {
        <div class="mx-auto w-full max-w-4xl px-4 py-8 sm:px-6">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Knowledge base"</h1>
            <p class="mt-1 text-sm text-slate-600">
                "Resolved sessions, written up for the next engineer who meets the problem."
            </p>
            <Suspense fallback=|| view! { <p class="mt-8 text-sm text-slate-600">"Loading the knowledge base…"</p> }>
                {move || Suspend::new(async move {
                    match kb.await {
                        Ok(found) => view! { <Contents kb=found /> }.into_any(),
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Contents(kb: KnowledgeBase) -> impl IntoView {
    let query = use_query_map();
    let writing = RwSignal::new(
        query
            .read_untracked()
            .get("write")
            .and_then(|id| id.parse::<SessionId>().ok()),
    );
    let quota = kb.quota;
    view! {
        <QuotaNote quota />
        {(!kb.candidates.is_empty()).then(|| view! {
            <section class="mt-8" data-testid="kb-candidates">
                <h2 class="text-sm font-semibold text-slate-900">"Ready to write up"</h2>
                <ul class="mt-3 divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
                    {kb.candidates.into_iter().map(|c| view! { <CandidateRow c quota writing /> }).collect_view()}
                </ul>
            </section>
        })}
        <section class="mt-8" data-testid="kb-articles">
            <h2 class="text-sm font-semibold text-slate-900">"Articles"</h2>
            {if kb.articles.is_empty() {
                view! {
                    <p class="mt-3 rounded-xl border border-dashed border-slate-300 bg-white px-5 py-8 text-center text-sm text-slate-600">
                        "No articles yet. Resolve a session, then write it up here."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="mt-3 divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
                        {kb.articles.into_iter().map(|a| view! { <ArticleRow a /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        {move || writing.get().map(|session_id| view! {
            <WriteUpDialog session_id on_cancel=move || writing.set(None) />
        })}
    }
}

/// Where the plan's conversions stand; nothing on a plan without a limit.
#[component]
fn QuotaNote(quota: KbQuota) -> impl IntoView {
    quota.limit.map(|limit| {
        if quota.reached() {
            view! {
                <p class="mt-6 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950" role="status" data-testid="kb-quota">
                    {format!(
                        "Your plan's {limit} write-ups are used ({} so far). An owner can upgrade to Pro to write more; the articles you have stay.",
                        quota.used
                    )}
                </p>
            }
            .into_any()
        } else {
            view! {
                <p class="mt-6 text-sm text-slate-600" data-testid="kb-quota">
                    {format!("Write-ups on your plan: {} of {limit} used.", quota.used)}
                </p>
            }
            .into_any()
        }
    })
}

#[component]
fn CandidateRow(
    c: KbCandidate,
    quota: KbQuota,
    writing: RwSignal<Option<SessionId>>,
) -> impl IntoView {
    let id = c.id;
    view! {
        <li class="flex items-center gap-4 px-5 py-3">
            <div class="min-w-0 flex-1">
                <a href=format!("/pilot/{id}") class="line-clamp-2 text-sm font-medium text-slate-900 hover:text-indigo-700">
                    {c.problem_summary}
                </a>
                <p class="mt-0.5 flex items-center gap-2 text-xs text-slate-600">
                    {c.psa_ticket_id.map(|t| view! { <TicketBadge ticket=t /> })}
                    {c.resolved_at.map(|at| view! { <span>"Resolved " {ago(at)}</span> })}
                </p>
            </div>
            <button
                type="button"
                class=SECONDARY
                disabled=quota.reached()
                on:click=move |_| writing.set(Some(id))
            >
                "Write up"
            </button>
        </li>
    }
}

#[component]
fn ArticleRow(a: KbArticleItem) -> impl IntoView {
    let byline = view! {
        {a.author_name.map(|name| format!("{name} · "))}
        {when(a.created_at)}
    };
    view! {
        <li>
            <a href=format!("/kb/{}", a.id) class="block px-5 py-3 hover:bg-slate-50">
                <span class="block text-sm font-medium text-slate-900">{a.title}</span>
                <span class="mt-0.5 flex items-center gap-2 text-xs text-slate-600">
                    {a.psa_ticket_id.map(|t| view! { <TicketBadge ticket=t /> })}
                    {byline}
                </span>
            </a>
        </li>
    }
}

/// The article's draft from its session, editable, then saved (or refused over the quota).
#[component]
fn WriteUpDialog(
    session_id: SessionId,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Drafted once the page runs, into a plain signal. (A `LocalResource` read inside the page's
    // `Suspense` makes it wait for the draft in the browser, which it never did on the server:
    // a reload of `/kb?write=ID` then failed to hydrate; docs/ARCHITECTURE.md, "Hydration".)
    let draft = RwSignal::new(None::<Result<KbDraft, ApiError>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let drafted = api.call(move || draft_article(session_id)).await;
            // The dialog may have been closed meanwhile.
            let _ = draft.try_set(Some(drafted));
        });
    });
    let convert = Call::new();
    let busy = convert.pending();
    Effect::new(move |_| match draft.get() {
        Some(Ok(found)) if body.get_untracked().is_empty() => {
            title.set(found.title);
            body.set(found.body);
        }
        Some(Err(err)) => error.set(Some(err.user_message())),
        _ => {}
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, b) = (title.get_untracked(), body.get_untracked());
        if t.trim().is_empty() || b.trim().is_empty() {
            error.set(Some("Give the article a title and a body.".to_owned()));
            return;
        }
        error.set(None);
        let navigate = navigate.clone();
        convert.run(async move {
            match api
                .call(move || convert_session(session_id, t.clone(), b.clone()))
                .await
            {
                Ok(article) => navigate(&format!("/kb/{}", article.item.id), Default::default()),
                Err(err) => error.set(Some(err.user_message())),
            }
        });
    };
    view! {
        <Dialog title="Write up for the knowledge base" test_id="write-up-dialog" on_cancel>
            <form on:submit=save>
                <label for="kb-title" class="mt-3 block text-sm font-medium text-slate-900">"Title"</label>
                <input
                    id="kb-title"
                    autofocus
                    type="text"
                    maxlength="200"
                    class=input_class(false)
                    placeholder=move || if draft.get().is_none() { "Drafting from the session…" } else { "What the problem looks like" }
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <label for="kb-body" class="mt-3 block text-sm font-medium text-slate-900">"Article"</label>
                <textarea
                    id="kb-body"
                    rows="12"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-[13px] leading-relaxed focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                {error_note(error, "mt-2")}
                <div class="mt-6 flex justify-end gap-3">
                    <button type="button" class=SECONDARY on:click=move |_| on_cancel()>"Cancel"</button>
                    <button type="submit" class=PRIMARY disabled=move || busy.get() || !matches!(draft.get(), Some(Ok(_)))>
                        "Save article"
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// An article's text, paragraph by paragraph; a paragraph that opens with one of the drafted
/// section names shows it as a heading.
#[component]
fn ArticleBody(body: String) -> impl IntoView {
    let blocks = body
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let (first, rest) = block.split_once('\n').unwrap_or((block, ""));
            let (heading, text) = if KB_SECTIONS.contains(&first.trim()) {
                (Some(first.trim().to_owned()), rest.to_owned())
            } else {
                (None, block.to_owned())
            };
            view! {
                <section class="mt-5 first:mt-0">
                    {heading.map(|h| view! { <h2 class="text-xs font-semibold uppercase tracking-wide text-slate-600">{h}</h2> })}
                    <p class="mt-1 whitespace-pre-wrap text-sm leading-relaxed text-slate-800">{text}</p>
                </section>
            }
        })
        .collect_view();
    view! { <div class="mt-5">{blocks}</div> }
}

#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let article_id = Memo::new(move |_| {
        params
            .read()
            .get("article_id")
            .and_then(|id| id.parse::<ArticleId>().ok())
    });
    let article = loaded(
        move || article_id.get(),
        |id| async move {
            match id {
                Some(id) => get_article(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Knowledge base" />
        <RequireUser>
            <div class="mx-auto w-full max-w-3xl px-4 py-8 sm:px-6">
                <a href="/kb" class="text-sm text-indigo-700 hover:underline">"← Knowledge base"</a>
                <Suspense fallback=|| view! { <p class="mt-6 text-sm text-slate-600">"Loading the article…"</p> }>
                    {move || Suspend::new(async move {
                        match article.await {
                            Ok(Some(a)) => view! {
                                <Title text=a.item.title.clone() />
                                <article class="mt-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="kb-article">
                                    <h1 class="text-xl font-semibold tracking-tight text-slate-900">{a.item.title}</h1>
                                    <p class="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
                                        {a.item.psa_ticket_id.map(|t| view! { <TicketBadge ticket=t /> })}
                                        <span>
                                            {format!(
                                                "Written up by {} · ",
                                                a.item.author_name.as_deref().unwrap_or("a former member"),
                                            )}
                                            {when(a.item.created_at)}
                                        </span>
                                    </p>
                                    <ArticleBody body=a.body />
                                </article>
                            }
                                .into_any(),
                            Ok(None) => view! { <NotFound /> }.into_any(),
                            Err(err) if err.error == ErrorCode::NotFound => view! { <NotFound /> }.into_any(),
                            Err(err) => view! { <LoadError err /> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </RequireUser>
    }
}
