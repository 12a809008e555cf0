//! The conversation of a session: its messages, the composer, and above it the banner that asks
//! for a fix's outcome and the assessment's suggested steps.

use crate::{
    api::sessions::send_message,
    components::{
        call::Call,
        fixes::{FixBanner, Fixes},
        icons::Send,
        layout::initials,
        pickup::SuggestedSteps,
        presence::{names, PresenceBoard, Reporter},
        storage::Store,
        time::ago,
        ui::{error_note, hydrated, sent_back, PRIMARY_SMALL},
        visitor::{use_api, use_signed_in},
    },
};
use leptos::{ev::KeyboardEvent, html, prelude::*};
use vocab::{
    ids::{SessionId, UserId},
    sessions::{ChatMessage, MESSAGE_MAX},
};

/// Suggestion chips put away for a session stay away in this tab.
const CHIPS_HIDDEN_KEY: &str = "rf-chips-hidden";

fn chips_key(session_id: SessionId) -> String {
    format!("{CHIPS_HIDDEN_KEY}:{session_id}")
}

/// The message box: its text and its element. The page holds it, so that a suggested step
/// picked elsewhere on the page (the pick-up card) fills it just as a chip does.
#[derive(Clone, Copy, Default)]
pub struct Composer {
    draft: RwSignal<String>,
    input: NodeRef<html::Textarea>,
}

impl Composer {
    /// Puts `text` in the box, replacing what was there, and moves the focus to it.
    pub fn fill(self, text: String) {
        self.draft.set(text);
        if let Some(input) = self.input.get() {
            let _ = input.focus();
        }
    }
}

#[component]
pub fn Conversation(
    session_id: SessionId,
    messages: RwSignal<Vec<ChatMessage>>,
    can_write: Signal<bool>,
    /// Why there is no message box, when there is none.
    read_only: Signal<String>,
    /// The assessment's suggested steps, as chips above the box (none: no chips).
    suggestions: Signal<Vec<String>>,
    composer: Composer,
    fixes: Fixes,
    /// This tab's presence in the session (none for a viewer).
    presence: Option<Reporter>,
) -> impl IntoView {
    let api = use_api();
    let me = use_signed_in().user.id;
    let board = PresenceBoard::get();
    let typing = move || {
        let typing: Vec<_> = board
            .others(session_id, me)
            .into_iter()
            .filter(|p| p.typing)
            .collect();
        match typing.len() {
            0 => String::new(),
            1 => format!("{} is typing…", names(&typing)),
            _ => format!("{} are typing…", names(&typing)),
        }
    };
    let Composer { draft, input } = composer;
    // A message posted without JavaScript that the server refused comes back with its code.
    let refused = sent_back("message_error").map(|code| format!("Not sent: {}", code.in_words()));
    let error = RwSignal::new(refused);
    let hydrated = hydrated();
    let chips_hidden = RwSignal::new(false);
    Effect::new(move |_| {
        if Store::Session.get(&chips_key(session_id)).is_some() {
            chips_hidden.set(true);
        }
    });
    let hide_chips = move || {
        chips_hidden.set(true);
        Store::Session.set(&chips_key(session_id), "1");
    };

    let post = Call::new();
    let sending = post.pending();
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() || sending.get_untracked() {
            return;
        }
        error.set(None);
        post.run(async move {
            match api
                .call(move || send_message(session_id, body.clone()))
                .await
            {
                Ok(message) => {
                    messages.update(|all| all.push(message));
                    draft.set(String::new());
                    hide_chips();
                }
                // The draft stays where it is, so nothing typed is lost.
                Err(err) => error.set(Some(format!(
                    "Not sent: {} Your message is still in the box.",
                    err.message
                ))),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };

    view! {
        <section class="flex min-h-[26rem] flex-col rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Conversation">
            <ol class="flex flex-1 flex-col gap-4 p-5" data-testid="conversation">
                <For each=move || messages.get() key=|m| m.id let:m>
                    <MessageRow m mine=me />
                </For>
                <Show when=move || messages.with(Vec::is_empty)>
                    <li class="m-auto max-w-sm text-center text-sm text-slate-600">
                        "No messages yet. Write down what you see and what you try; whoever picks this up reads it here."
                    </li>
                </Show>
            </ol>
            <p class="min-h-5 px-5 pb-1 text-xs text-slate-600" aria-live="polite" data-testid="typing">{typing}</p>
            <Show when=move || can_write.get()>
                <FixBanner fixes />
            </Show>
            <Show when=move || can_write.get() && !chips_hidden.get() && !suggestions.with(Vec::is_empty)>
                <SuggestedSteps steps=suggestions.get() on_pick=move |step| composer.fill(step) on_dismiss=hide_chips />
            </Show>
            <Show
                when=move || can_write.get()
                fallback=move || view! {
                    <p class="border-t border-slate-100 px-5 py-4 text-sm text-slate-600" data-testid="read-only">
                        {read_only}
                    </p>
                }
            >
                // Without JavaScript the form posts itself and the page comes back with the
                // message in the conversation.
                <form
                    method="post"
                    action=format!("/pilot/{session_id}/messages")
                    class="flex items-end gap-2 border-t border-slate-100 p-4"
                    novalidate=move || hydrated.get()
                    on:submit=move |ev| {
                        ev.prevent_default();
                        send();
                    }
                >
                    <div class="flex-1">
                        <label for="composer" class="sr-only">"Message"</label>
                        <textarea
                            id="composer"
                            name="body"
                            required
                            maxlength=MESSAGE_MAX
                            node_ref=input
                            rows="2"
                            class="block w-full resize-y rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                            placeholder="Write a message. Enter sends, Shift+Enter for a new line."
                            prop:value=move || draft.get()
                            on:input=move |ev| {
                                draft.set(event_target_value(&ev));
                                if let Some(presence) = presence {
                                    presence.typed();
                                }
                            }
                            on:keydown=on_keydown
                        ></textarea>
                        {error_note(error, "mt-1")}
                    </div>
                    <button
                        type="submit"
                        class=format!("inline-flex items-center gap-1.5 {PRIMARY_SMALL}")
                        disabled=move || hydrated.get() && (sending.get() || draft.with(|d| d.trim().is_empty()))
                    >
                        <Send />
                        {move || if sending.get() { "Sending…" } else { "Send" }}
                    </button>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn MessageRow(m: ChatMessage, mine: UserId) -> impl IntoView {
    let (name, avatar) = match &m.author {
        Some(author) if author.id == mine => (
            format!("{} (you)", author.name),
            "bg-indigo-100 text-indigo-700",
        ),
        Some(author) => (author.name.clone(), "bg-slate-100 text-slate-700"),
        None => ("Former member".to_owned(), "bg-slate-100 text-slate-600"),
    };
    let is_mine = m.author.as_ref().is_some_and(|a| a.id == mine);
    let letters = m
        .author
        .as_ref()
        .map(|a| initials(&a.name))
        .unwrap_or_default();
    view! {
        <li class="flex gap-3" data-testid="message">
            <span class=format!("flex h-8 w-8 shrink-0 items-center justify-center rounded-full text-xs font-semibold {avatar}")>
                {letters}
            </span>
            <div class="min-w-0">
                <p class="text-xs text-slate-600">
                    <span class="font-medium text-slate-900">{name}</span>
                    " · "
                    {ago(m.created_at)}
                    {is_mine.then(|| view! { <span data-testid="sent">" · Sent"</span> })}
                </p>
                <p class="mt-0.5 whitespace-pre-wrap break-words text-sm text-slate-800">{m.body}</p>
            </div>
        </li>
    }
}
