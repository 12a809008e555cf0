//! The built-in assessor: reads a session against the playbook library and answers as a senior
//! would, saying how sure it is. docs/ARCHITECTURE.md ("The built-in assessor") has the rules.

use super::{
    playbooks::{Lead, Playbook, NEUTRAL, PLAYBOOKS, TRIAGE},
    words,
};
use std::sync::OnceLock;
use vocab::{
    fixes::FixStatus,
    handoffs::{Assessment, ConfidenceTier, Snapshot, SnapshotFix},
    sessions::StepOutcome,
};

/// Below this score no area is named with any confidence: one clear word is not a diagnosis.
const WEAK: u32 = 3;
/// Nor when the leader is less than this far ahead of the runner-up: a lead of one hint is
/// not a diagnosis either.
const LEAD: u32 = 2;
/// The runner-up within this share of the leader (in percent) makes the two too close to call.
const CLOSE: u32 = 75;
/// From this score, with the runner-up at most half of it, the area is plain.
const PLAIN: u32 = 6;

/// What the ticket's words say: the best area, its runner-up, and how sure that is.
pub struct Diagnosis {
    pub leader: Option<(&'static Playbook, u32)>,
    pub runner_up: Option<(&'static Playbook, u32)>,
    pub tier: ConfidenceTier,
}

impl Diagnosis {
    /// Scores every area against `text`; confidence from the leader's score and its margin.
    pub fn of(text: &str) -> Self {
        let mut ranked: Vec<(&'static Playbook, u32)> = PLAYBOOKS
            .iter()
            .zip(scores(text))
            .filter(|(_, score)| *score > 0)
            .collect();
        // Stable: on a tie the library's order decides, and a tie is "too close" anyway.
        ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
        let leader = ranked.first().copied();
        let runner_up = ranked.get(1).copied();
        let (top, second) = (
            leader.map_or(0, |(_, s)| s),
            runner_up.map_or(0, |(_, s)| s),
        );
        let tier = if top < WEAK || contested(top, second) {
            ConfidenceTier::Low
        } else if top >= PLAIN && second * 2 <= top {
            ConfidenceTier::High
        } else {
            ConfidenceTier::Medium
        };
        Diagnosis {
            leader,
            runner_up,
            tier,
        }
    }

    /// The area named, if any (also at low confidence, as the likeliest).
    pub fn area(&self) -> Option<&'static str> {
        self.leader.map(|(p, _)| p.area)
    }
}

/// Whether the runner-up's score keeps the leader's from deciding: too little behind it
/// (`LEAD`), or too close a share of it (`CLOSE`).
fn contested(top: u32, second: u32) -> bool {
    top - second < LEAD || second * 100 > top * CLOSE
}

/// A distinct phrase of the library, as stems, and the areas it votes for.
struct Sign {
    stems: Vec<String>,
    votes: Vec<(usize, u32)>,
}

/// Every sign of the library once, longest first, so that a phrase claims its words before any
/// word alone can ("scan to email" is scanning, and its "email" then votes for nothing else).
fn signs() -> &'static [Sign] {
    static SIGNS: OnceLock<Vec<Sign>> = OnceLock::new();
    SIGNS.get_or_init(|| {
        let mut signs: Vec<Sign> = Vec::new();
        let mut add = |text: &str, vote: Option<(usize, u32)>| {
            let stems = words::stems(text);
            let sign = match signs.iter_mut().find(|s| s.stems == stems) {
                Some(sign) => sign,
                None => {
                    signs.push(Sign {
                        stems,
                        votes: Vec::new(),
                    });
                    signs.last_mut().expect("just pushed")
                }
            };
            if let Some((area, weight)) = vote {
                // Two spellings of one word in an area count once, at the stronger weight.
                match sign.votes.iter_mut().find(|(a, _)| *a == area) {
                    Some(v) => v.1 = v.1.max(weight),
                    None => sign.votes.push((area, weight)),
                }
            }
        };
        for phrase in NEUTRAL {
            add(phrase, None);
        }
        for (area, playbook) in PLAYBOOKS.iter().enumerate() {
            for (text, weight) in playbook.signs {
                add(text, Some((area, u32::from(*weight))));
            }
        }
        signs.sort_by_key(|s| std::cmp::Reverse(s.stems.len()));
        signs
    })
}

/// Each area's score: the weights of its signs found in `text`, each sign counted once however
/// often it occurs, each word claimed by the longest sign that covers it.
fn scores(text: &str) -> Vec<u32> {
    let words = words::stems(text);
    let mut claimed = vec![false; words.len()];
    let mut scores = vec![0; PLAYBOOKS.len()];
    for sign in signs() {
        let n = sign.stems.len();
        let mut found = false;
        for at in 0..words.len().saturating_sub(n - 1) {
            if !claimed[at..at + n].contains(&true) && words::starts_at(&words, at, &sign.stems) {
                claimed[at..at + n].fill(true);
                found = true;
            }
        }
        if found {
            for (area, weight) in &sign.votes {
                scores[*area] += weight;
            }
        }
    }
    scores
}

/// Everything the session says about its problem, as one text.
pub fn ticket_text(snapshot: &Snapshot) -> String {
    let mut parts = vec![snapshot.problem_summary.as_str(), snapshot.reason.as_str()];
    for step in &snapshot.steps {
        parts.push(&step.action);
        parts.extend(step.notes.as_deref());
    }
    parts.extend(snapshot.fixes.iter().map(|f| f.title.as_str()));
    parts.join("\n")
}

/// What has been tried: steps and applied fixes, with how it went.
struct Tried {
    stems: Vec<String>,
    helped: bool,
}

fn tried(snapshot: &Snapshot) -> Vec<Tried> {
    let steps = snapshot.steps.iter().map(|s| Tried {
        stems: words::stems(&s.action),
        helped: matches!(s.outcome, StepOutcome::Worked | StepOutcome::Partial),
    });
    let fixes = snapshot
        .fixes
        .iter()
        .filter(|f| f.status.is_applied())
        .map(|f| Tried {
            stems: words::stems(&f.title),
            helped: matches!(
                f.status,
                FixStatus::AppliedSuccess | FixStatus::AppliedPartial
            ),
        });
    steps.chain(fixes).collect()
}

/// The attempt that did what `step` says, if any: they share at least two words that mean
/// something ("Restarted the print spooler" is "Stop the Print Spooler service…").
fn attempt_of<'a>(tried: &'a [Tried], step: &str) -> Option<&'a Tried> {
    let mut wanted: Vec<String> = words::stems(step)
        .into_iter()
        .filter(|w| !words::is_filler(w))
        .collect();
    wanted.dedup();
    tried.iter().find(|t| {
        wanted
            .iter()
            .filter(|w| t.stems.contains(w))
            .take(2)
            .count()
            >= 2
    })
}

/// A playbook's causes, reordered by what was tried: a cause whose check helped leads, one whose
/// check did not help goes last and says so; and the steps still worth suggesting.
fn weigh(playbook: &Playbook, tried: &[Tried]) -> (Vec<String>, Vec<String>) {
    let mut leads: Vec<(&Lead, Option<bool>)> = playbook
        .leads
        .iter()
        .map(|l| (l, attempt_of(tried, l.check).map(|t| t.helped)))
        .collect();
    // Helped first, untried next, tried without help last; otherwise the library's order.
    leads.sort_by_key(|(_, helped)| match helped {
        Some(true) => 0,
        None => 1,
        Some(false) => 2,
    });
    let causes = leads
        .iter()
        .map(|(l, helped)| match helped {
            Some(false) => format!("{} (less likely: trying that did not help)", l.cause),
            _ => l.cause.to_owned(),
        })
        .collect();
    let steps = leads
        .iter()
        .filter(|(_, helped)| helped.is_none())
        .map(|(l, _)| l.check)
        .chain(playbook.steps.iter().copied())
        .filter(|s| attempt_of(tried, s).is_none())
        .map(str::to_owned)
        .collect();
    (causes, steps)
}

/// An area's name inside a sentence: its first letter lowered, unless the first word is itself
/// a name ("Outlook and mailboxes", "VPN and remote access", "Wi-Fi").
fn in_sentence(name: &str) -> String {
    const NAMES: &[&str] = &["Outlook", "Microsoft", "OneDrive", "Windows"];
    let first = name.split([' ', ',', ':']).next().unwrap_or_default();
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if !NAMES.contains(&first) && !first.chars().skip(1).any(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => name.to_owned(),
    }
}

fn find_out(playbook: &Playbook) -> String {
    format!("Find out {}", playbook.ask)
}

/// The assessment of an escalated session.
pub fn assess(snapshot: &Snapshot) -> Assessment {
    let diagnosis = Diagnosis::of(&ticket_text(snapshot));
    let tried = tried(snapshot);
    let mut likely_causes = evidence(snapshot);
    let mut suggested_steps: Vec<String> = snapshot
        .fixes
        .iter()
        .find(|f| f.status == FixStatus::AppliedPending)
        .map(|fix| {
            format!(
                "Confirm whether \"{}\" held once this is done: {}",
                fix.title,
                waiting_on(fix)
            )
        })
        .into_iter()
        .collect();
    let untried_triage = || {
        TRIAGE
            .iter()
            .filter(|s| attempt_of(&tried, s).is_none())
            .map(|s| s.to_string())
    };
    match (diagnosis.leader, diagnosis.runner_up, diagnosis.tier) {
        (None, _, _) => {
            likely_causes.push("Not enough detail yet to single out a cause".to_owned());
            suggested_steps.extend(untried_triage());
        }
        (Some((first, top)), Some((second, next)), ConfidenceTier::Low)
            if top >= WEAK && contested(top, next) =>
        {
            likely_causes.push(format!(
                "Two areas fit about equally, {} and {}; the ticket does not yet tell them apart",
                in_sentence(first.name),
                in_sentence(second.name)
            ));
            likely_causes.push(first.leads[0].cause.to_owned());
            likely_causes.push(second.leads[0].cause.to_owned());
            suggested_steps.push(find_out(first));
            suggested_steps.push(find_out(second));
            suggested_steps.extend(untried_triage().take(1));
        }
        (Some((playbook, _)), _, ConfidenceTier::Low) => {
            likely_causes.push(format!(
                "Possibly {}, though the ticket does not say enough to be sure",
                in_sentence(playbook.name)
            ));
            let (causes, steps) = weigh(playbook, &tried);
            likely_causes.extend(causes);
            suggested_steps.push(find_out(playbook));
            suggested_steps.extend(steps);
        }
        (Some((playbook, _)), _, _) => {
            let (causes, steps) = weigh(playbook, &tried);
            likely_causes.extend(causes);
            suggested_steps.extend(steps);
        }
    }
    Assessment {
        summary: summary(snapshot),
        likely_causes,
        suggested_steps,
        confidence_tier: diagnosis.tier,
    }
}

/// What the record itself says before any playbook: a fix or step awaiting verification is the
/// leading hypothesis, one that helped partly marks the leading suspect.
fn evidence(snapshot: &Snapshot) -> Vec<String> {
    let mut causes = Vec::new();
    let fix_with = |status: FixStatus| snapshot.fixes.iter().find(|f| f.status == status);
    if let Some(fix) = fix_with(FixStatus::AppliedPending) {
        causes.push(format!(
            "Leading hypothesis: \"{}\" is applied and awaiting verification ({})",
            fix.title,
            waiting_on(fix)
        ));
    }
    if let Some(fix) = fix_with(FixStatus::AppliedPartial) {
        causes.push(format!(
            "\"{}\" fixed it only partly: {}",
            fix.title,
            fix.partial_notes
                .as_deref()
                .unwrap_or("what remains is not recorded")
        ));
    }
    let step_with = |outcome: StepOutcome| snapshot.steps.iter().find(|s| s.outcome == outcome);
    if let Some(step) = step_with(StepOutcome::Partial) {
        causes.push(format!(
            "\"{}\" helped only partly, so its area is the leading suspect",
            step.action
        ));
    }
    if let Some(step) = step_with(StepOutcome::Pending) {
        causes.push(format!(
            "\"{}\" is applied but not yet verified; confirm it before ruling it out",
            step.action
        ));
    }
    causes
}

/// Up to three items, then how many more: "a, b and c", "a, b, c and 2 more".
fn listed(items: &[&str]) -> String {
    let shown = &items[..items.len().min(3)];
    let rest = items.len() - shown.len();
    match (shown, rest) {
        ([one], 0) => (*one).to_owned(),
        (_, 0) => format!(
            "{} and {}",
            shown[..shown.len() - 1].join(", "),
            shown[shown.len() - 1]
        ),
        _ => format!("{} and {rest} more", shown.join(", ")),
    }
}

/// A senior's two sentences: the problem, what was tried and how it went, why it came up.
fn summary(snapshot: &Snapshot) -> String {
    let ticket = ticket(snapshot);
    let mut text = format!(
        "{}{ticket}.",
        snapshot.problem_summary.trim().trim_end_matches('.')
    );
    let actions = |outcome: StepOutcome| -> Vec<&str> {
        snapshot
            .steps
            .iter()
            .filter(|s| s.outcome == outcome)
            .map(|s| s.action.trim().trim_end_matches('.'))
            .collect()
    };
    let mut tried: Vec<String> = Vec::new();
    for (outcome, said) in [
        (StepOutcome::Worked, "worked"),
        (StepOutcome::Partial, "helped partly"),
        (StepOutcome::Pending, "awaiting verification"),
        (StepOutcome::Failed, "tried without success"),
    ] {
        let done = actions(outcome);
        if !done.is_empty() {
            tried.push(format!("{said}: {}", listed(&done)));
        }
    }
    if let Some(first) = tried.first_mut() {
        capitalise(first);
        text.push_str(&format!(" {}.", tried.join("; ")));
    } else {
        text.push_str(" Nothing is recorded as tried yet.");
    }
    let reason = snapshot.reason.trim().trim_end_matches('.');
    if !reason.is_empty() {
        text.push_str(&format!(" Escalated because: {reason}."));
    }
    if let Some(fix) = snapshot
        .fixes
        .iter()
        .find(|f| f.status == FixStatus::AppliedPending)
    {
        text.push_str(&format!(
            " A fix is in but not yet verified: \"{}\" ({}).",
            fix.title,
            waiting_on(fix)
        ));
    }
    text
}

fn capitalise(s: &mut String) {
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
}

fn waiting_on(fix: &SnapshotFix) -> String {
    match fix.pending_reason.as_deref() {
        Some(reason) => format!("waiting on: {}", reason.trim_end_matches('.')),
        None => "what it waits on is not recorded".to_owned(),
    }
}

/// " (ticket #4711)", or nothing when the session has no ticket.
fn ticket(snapshot: &Snapshot) -> String {
    snapshot
        .psa_ticket_id
        .as_deref()
        .map(|t| format!(" (ticket #{t})"))
        .unwrap_or_default()
}

fn quoted_titles(fixes: &[&SnapshotFix]) -> String {
    fixes
        .iter()
        .map(|f| format!("\"{}\"", f.title))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in resolution note: plain sentences from the record, a pending fix called
/// provisional with what it waits on.
pub fn note(snapshot: &Snapshot) -> String {
    let with = |status: FixStatus| -> Vec<&SnapshotFix> {
        snapshot
            .fixes
            .iter()
            .filter(|f| f.status == status)
            .collect()
    };
    let ticket = ticket(snapshot);
    let mut lines = vec![format!(
        "Problem: {}{ticket}.",
        snapshot.problem_summary.trim_end_matches('.')
    )];
    let worked = with(FixStatus::AppliedSuccess);
    if !worked.is_empty() {
        lines.push(format!("Resolved by: {}.", quoted_titles(&worked)));
    }
    for fix in with(FixStatus::AppliedPending) {
        lines.push(format!(
            "Provisional: \"{}\" was applied and is awaiting verification ({}); confirm it held before closing the ticket.",
            fix.title,
            waiting_on(fix)
        ));
    }
    for fix in with(FixStatus::AppliedPartial) {
        lines.push(format!(
            "Partly fixed by \"{}\": {}.",
            fix.title,
            fix.partial_notes
                .as_deref()
                .unwrap_or("what remains is not recorded")
                .trim_end_matches('.')
        ));
    }
    if worked.is_empty() && with(FixStatus::AppliedPending).is_empty() {
        lines.push("No fix is recorded as having worked.".to_owned());
    }
    let failed: Vec<String> = snapshot
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .map(|s| s.action.clone())
        .chain(
            with(FixStatus::AppliedFailed)
                .into_iter()
                .map(|f| f.title.clone()),
        )
        .collect();
    if !failed.is_empty() {
        lines.push(format!("Tried without success: {}.", failed.join("; ")));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocab::handoffs::SnapshotStep;

    fn snapshot(summary: &str, reason: &str, steps: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            problem_summary: summary.into(),
            psa_ticket_id: Some("4711".into()),
            reason: reason.into(),
            steps: steps
                .iter()
                .map(|(a, o)| SnapshotStep {
                    action: a.to_string(),
                    outcome: StepOutcome::parse(o).expect("a step outcome"),
                    notes: None,
                })
                .collect(),
            ..Snapshot::default()
        }
    }

    fn fix(title: &str, status: FixStatus, pending_reason: Option<&str>) -> SnapshotFix {
        SnapshotFix {
            title: title.into(),
            status,
            partial_notes: None,
            pending_reason: pending_reason.map(str::to_owned),
        }
    }

    fn area_of(text: &str) -> (Option<&'static str>, ConfidenceTier) {
        let d = Diagnosis::of(text);
        (d.area(), d.tier)
    }

    #[test]
    fn no_change_is_not_a_hang_and_scannow_is_not_a_scan() {
        let dns = snapshot(
            "Users can't open the intranet by name",
            "flushed caches, no change",
            &[("ipconfig /flushdns", "failed")],
        );
        let a = assess(&dns);
        assert!(
            !a.likely_causes.iter().any(|c| c.contains("exhausting CPU")),
            "{a:?}"
        );
        assert_eq!(Diagnosis::of(&ticket_text(&dns)).area(), Some("dns"));
        assert_ne!(
            area_of("ran sfc /scannow, slow to start").0,
            Some("scanning")
        );
        assert_eq!(area_of("no change after the restart").0, None);
    }

    #[test]
    fn a_phrase_claims_its_words_before_another_area_can() {
        assert_eq!(
            area_of("Scan to email stopped working on the copier").0,
            Some("scanning")
        );
        assert_eq!(
            area_of("Access denied opening the finance share over the network").0,
            Some("file_shares")
        );
        assert_eq!(
            area_of("OneDrive not syncing, files stuck with a red X").0,
            Some("cloud_sync"),
        );
        assert_eq!(area_of("Outlook is not syncing the inbox").0, Some("email"));
    }

    #[test]
    fn a_word_counts_once_however_often_it_is_repeated() {
        assert_eq!(
            Diagnosis::of("printer printer printer printers")
                .leader
                .map(|l| l.1),
            Diagnosis::of("printer").leader.map(|l| l.1)
        );
    }

    #[test]
    fn two_areas_close_together_are_low_and_say_what_would_tell_them_apart() {
        let s = snapshot("Printer and Outlook both broken", "", &[]);
        let a = assess(&s);
        assert_eq!(a.confidence_tier, ConfidenceTier::Low);
        assert!(
            a.likely_causes[0].starts_with("Two areas fit about equally"),
            "{a:?}"
        );
        assert!(
            a.suggested_steps
                .iter()
                .filter(|s| s.starts_with("Find out"))
                .count()
                == 2,
            "{a:?}"
        );
    }

    #[test]
    fn a_leader_one_hint_ahead_is_two_areas_not_a_guess() {
        let a = assess(&snapshot(
            "Outlook keeps asking for a password and the printer is offline",
            "",
            &[],
        ));
        assert_eq!(a.confidence_tier, ConfidenceTier::Low);
        assert!(
            a.likely_causes[0]
                .starts_with("Two areas fit about equally, printing and Outlook and mailboxes"),
            "{a:?}"
        );
    }

    #[test]
    fn an_area_named_in_a_sentence_keeps_its_proper_names() {
        assert_eq!(in_sentence("Printing"), "printing");
        assert_eq!(
            in_sentence("A slow or freezing computer"),
            "a slow or freezing computer"
        );
        assert_eq!(
            in_sentence("Name resolution (DNS)"),
            "name resolution (DNS)"
        );
        for name in [
            "Outlook and mailboxes",
            "VPN and remote access",
            "Wi-Fi",
            "Microsoft Teams",
        ] {
            assert_eq!(in_sentence(name), name);
        }
    }

    #[test]
    fn one_weak_word_is_a_low_guess_that_asks_for_detail() {
        let a = assess(&snapshot("Computer is slow", "", &[]));
        assert_eq!(a.confidence_tier, ConfidenceTier::Low);
        assert!(a.likely_causes[0].starts_with("Possibly a slow"), "{a:?}");
        assert!(
            a.suggested_steps[0].starts_with("Find out whether it is one app"),
            "{a:?}"
        );
    }

    #[test]
    fn an_unfamiliar_problem_is_low_confidence_with_triage_steps() {
        let a = assess(&snapshot("The thing is weird", "", &[]));
        assert_eq!(a.confidence_tier, ConfidenceTier::Low);
        assert_eq!(
            a.likely_causes,
            ["Not enough detail yet to single out a cause"]
        );
        assert_eq!(a.suggested_steps, TRIAGE);
    }

    #[test]
    fn a_clear_ticket_is_high_and_a_tried_check_lowers_its_cause() {
        let s = snapshot(
            "Print jobs stuck in the print queue, printer offline",
            "Spooler keeps stopping",
            &[("Restarted the print spooler service", "failed")],
        );
        let a = assess(&s);
        assert_eq!(a.confidence_tier, ConfidenceTier::High);
        let last = a.likely_causes.last().expect("causes");
        assert!(
            last.starts_with("The print spooler is stuck") && last.contains("did not help"),
            "the spooler was restarted without success, so it goes last: {a:?}"
        );
        assert!(
            !a.suggested_steps
                .iter()
                .any(|s| s.contains("Print Spooler")),
            "a step already tried is not suggested again: {a:?}"
        );
        assert!(!a.suggested_steps.is_empty());
    }

    #[test]
    fn a_check_that_helped_partly_leads() {
        let s = snapshot(
            "Outlook is failing to sync email",
            "Out of ideas",
            &[
                ("Restarted Outlook", "failed"),
                (
                    "Created a new Outlook profile and let it download the mailbox",
                    "partial",
                ),
            ],
        );
        let a = assess(&s);
        assert!(a.likely_causes[0].contains("helped only partly"), "{a:?}");
        assert!(
            a.likely_causes[1].starts_with("A corrupt Outlook profile"),
            "{a:?}"
        );
        assert!(
            !a.suggested_steps
                .iter()
                .any(|s| s.contains("new Outlook profile")),
            "{a:?}"
        );
    }

    #[test]
    fn the_summary_says_what_was_tried_in_words_not_a_tally() {
        let s = snapshot(
            "Outlook is failing to sync email.",
            "Out of ideas.",
            &[
                ("Restarted Outlook", "failed"),
                ("Created a new profile", "partial"),
                ("Cleared credentials", "failed"),
            ],
        );
        assert_eq!(
            summary(&s),
            "Outlook is failing to sync email (ticket #4711). Helped partly: Created a new profile; \
             tried without success: Restarted Outlook and Cleared credentials. Escalated because: Out of ideas."
        );
        let many = snapshot(
            "VPN down",
            "",
            &[
                ("a", "failed"),
                ("b", "failed"),
                ("c", "failed"),
                ("d", "failed"),
                ("e", "failed"),
            ],
        );
        assert_eq!(
            summary(&many),
            "VPN down (ticket #4711). Tried without success: a, b, c and 2 more."
        );
        assert_eq!(
            summary(&snapshot("VPN down", "", &[])),
            "VPN down (ticket #4711). Nothing is recorded as tried yet."
        );
    }

    #[test]
    fn a_pending_step_is_named_as_awaiting_verification() {
        let a = assess(&snapshot(
            "Printer offline",
            "",
            &[("Restarted the spooler", "pending")],
        ));
        assert!(a.likely_causes[0].contains("not yet verified"), "{a:?}");
    }

    #[test]
    fn a_pending_fix_leads_the_package_as_a_hypothesis_and_is_provisional_in_the_note() {
        let mut s = snapshot(
            "Mapped drives missing after a password change",
            "Out of ideas",
            &[("Re-entered the credentials", "failed")],
        );
        s.fixes = vec![
            fix("Clear cached credentials", FixStatus::AppliedFailed, None),
            fix(
                "Reset the machine account",
                FixStatus::AppliedPending,
                Some("the client's overnight reboot"),
            ),
        ];
        let a = assess(&s);
        assert!(
            a.likely_causes[0].starts_with("Leading hypothesis: \"Reset the machine account\"")
                && a.likely_causes[0].contains("waiting on: the client's overnight reboot"),
            "{:?}",
            a.likely_causes
        );
        assert!(
            a.suggested_steps[0].starts_with("Confirm whether \"Reset the machine account\" held")
        );
        assert!(a.summary.contains("not yet verified"), "{}", a.summary);

        let text = note(&s);
        assert!(text.contains("Provisional: \"Reset the machine account\" was applied and is awaiting verification (waiting on: the client's overnight reboot)"), "{text}");
        assert!(
            !text.contains("Resolved by"),
            "a pending fix is never said to have worked: {text}"
        );
        assert!(
            text.contains(
                "Tried without success: Re-entered the credentials; Clear cached credentials."
            ),
            "{text}"
        );

        s.fixes[1].status = FixStatus::AppliedSuccess;
        let text = note(&s);
        assert!(
            text.contains("Resolved by: \"Reset the machine account\"."),
            "{text}"
        );
        assert!(!text.contains("Provisional"), "{text}");
    }
}
