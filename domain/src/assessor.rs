//! The AI assessment of an escalated session: what is probably wrong and what to try next.
//! Two real implementations: a built-in heuristic (the default) that reads the session's steps
//! and their outcomes, and the Anthropic Messages API when `RF_ANTHROPIC_API_KEY` is set.

use serde_json::{json, Value};
use std::time::Duration;
use vocab::{
    fixes::FixStatus,
    handoffs::{Assessment, ConfidenceTier, Snapshot, SnapshotFix},
    sessions::StepOutcome,
};

#[derive(Clone)]
pub enum Assessor {
    Heuristic,
    Anthropic {
        http: reqwest::Client,
        api_key: String,
        base_url: String,
        model: String,
    },
}

pub const ANTHROPIC_URL: &str = "https://api.anthropic.com";
pub const ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";

impl Assessor {
    /// The escalation package: what is probably wrong and what to try next.
    pub async fn assess(&self, snapshot: &Snapshot) -> Result<Assessment, String> {
        match self {
            Assessor::Heuristic => Ok(heuristic(snapshot)),
            Assessor::Anthropic { .. } => {
                parse_assessment(&self.ask(ASSESSMENT_PROMPT, snapshot).await?)
            }
        }
    }

    /// The draft of a resolved session's note: what fixed it, what was tried, and any fix that
    /// is only provisional. The model gets `budget`; when it fails or is slower, the built-in
    /// draft is used, so there is always one to edit.
    pub async fn resolution_note_within(&self, snapshot: &Snapshot, budget: Duration) -> String {
        if let Assessor::Anthropic { .. } = self {
            match tokio::time::timeout(budget, self.ask(RESOLUTION_PROMPT, snapshot)).await {
                Ok(Ok(text)) if !text.trim().is_empty() => return text.trim().to_owned(),
                Ok(Ok(_)) => tracing::warn!("the resolution note came back empty"),
                Ok(Err(e)) => tracing::warn!(error = %e, "resolution note draft failed"),
                Err(_) => tracing::warn!("resolution note draft ran past its budget"),
            }
        }
        heuristic_note(snapshot)
    }

    /// One Messages API call with the session as the user turn; the answer's text.
    async fn ask(&self, system: &str, snapshot: &Snapshot) -> Result<String, String> {
        let Assessor::Anthropic {
            http,
            api_key,
            base_url,
            model,
        } = self
        else {
            return Err("no model configured".to_owned());
        };
        messages(http, api_key, base_url, model, system, snapshot).await
    }
}

/// A family of problems: the words that give it away, what usually causes it, what to try.
struct Playbook {
    keywords: &'static [&'static str],
    causes: &'static [&'static str],
    steps: &'static [&'static str],
}

const PLAYBOOKS: &[Playbook] = &[
    Playbook {
        keywords: &["outlook", "email", "e-mail", "mailbox", "exchange", "sync"],
        causes: &[
            "A corrupt Outlook profile or offline cache (OST)",
            "The mailbox is over its quota",
            "An expired or revoked sign-in token for Microsoft 365",
        ],
        steps: &[
            "Create a new Outlook profile and let it re-sync",
            "Check the mailbox size and quota in the Exchange admin center",
            "Sign the user out of every Office app, clear cached credentials, sign back in",
            "Test the mailbox in Outlook on the web to separate client from service",
        ],
    },
    Playbook {
        keywords: &["vpn", "remote access", "tunnel", "anyconnect", "wireguard"],
        causes: &[
            "The VPN client's certificate or credentials expired",
            "A local network range overlaps the office range",
            "The firewall is dropping the tunnel's UDP traffic",
        ],
        steps: &[
            "Check the VPN gateway's logs for this user's connection attempts",
            "Compare the client's local subnet with the office subnet",
            "Try the connection from another network (a phone hotspot)",
        ],
    },
    Playbook {
        keywords: &[
            "dns",
            "internet",
            "network",
            "wifi",
            "wi-fi",
            "dhcp",
            "connectivity",
            "no connection",
        ],
        causes: &[
            "DNS resolution is failing or pointing at a stale server",
            "The DHCP lease or IP configuration is wrong",
            "A switch port, access point or cable fault",
        ],
        steps: &[
            "Run nslookup against the configured and a public resolver",
            "Check ipconfig /all for the lease, gateway and DNS servers",
            "Check the switch port or access point for errors",
        ],
    },
    Playbook {
        keywords: &[
            "password",
            "login",
            "log in",
            "sign in",
            "locked",
            "mfa",
            "2fa",
            "authenticator",
        ],
        causes: &[
            "The account is locked out by repeated failures from a stale device",
            "The MFA method changed or the authenticator app lost its registration",
            "The password expired under the directory's policy",
        ],
        steps: &[
            "Check the directory's sign-in logs for the failure reason",
            "Find the device still trying the old password (phone mail app, mapped drive)",
            "Re-register the user's MFA method",
        ],
    },
    Playbook {
        keywords: &["printer", "print", "spooler", "scan"],
        causes: &[
            "The print spooler is stuck",
            "A driver mismatch after an update",
            "The printer's IP address changed",
        ],
        steps: &[
            "Restart the Print Spooler service and clear the queue",
            "Reinstall the printer with the vendor's current driver",
            "Confirm the printer's IP and the port configured on the client",
        ],
    },
    Playbook {
        keywords: &[
            "slow",
            "performance",
            "freez",
            "hang",
            "cpu",
            "memory",
            "disk",
        ],
        causes: &[
            "A process is exhausting CPU, memory or disk",
            "The disk is nearly full or failing",
            "Security software is scanning aggressively",
        ],
        steps: &[
            "Check Task Manager / Resource Monitor for the top consumer",
            "Check free disk space and the disk's SMART status",
            "Review recent updates and startup items",
        ],
    },
];

const GENERIC_STEPS: &[&str] = &[
    "Reproduce the problem with the user on a call and note the exact error",
    "Check what changed recently: updates, new software, password or policy changes",
    "Look for the same symptom on another user or device to judge the scope",
];

fn heuristic(snapshot: &Snapshot) -> Assessment {
    let haystack = format!(
        "{} {} {}",
        snapshot.problem_summary,
        snapshot.reason,
        snapshot
            .steps
            .iter()
            .map(|s| s.action.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    )
    .to_lowercase();
    let playbook = PLAYBOOKS
        .iter()
        .max_by_key(|p| p.keywords.iter().filter(|k| haystack.contains(*k)).count())
        .filter(|p| p.keywords.iter().any(|k| haystack.contains(k)));

    let count = |outcome: StepOutcome| {
        snapshot
            .steps
            .iter()
            .filter(|s| s.outcome == outcome)
            .count()
    };
    let (worked, failed, partial, pending) = (
        count(StepOutcome::Worked),
        count(StepOutcome::Failed),
        count(StepOutcome::Partial),
        count(StepOutcome::Pending),
    );
    // Steps and applied fixes both count as tried.
    let tried: Vec<String> = snapshot
        .steps
        .iter()
        .map(|s| s.action.to_lowercase())
        .chain(
            snapshot
                .fixes
                .iter()
                .filter(|f| f.status.is_applied())
                .map(|f| f.title.to_lowercase()),
        )
        .collect();
    let untried = |step: &str| {
        let key: Vec<&str> = step
            .split_whitespace()
            .filter(|w| w.len() > 4)
            .take(3)
            .collect();
        !tried
            .iter()
            .any(|t| key.iter().filter(|w| t.contains(&w.to_lowercase())).count() >= 2)
    };

    let fix_with = |status: FixStatus| snapshot.fixes.iter().find(|f| f.status == status);
    let mut likely_causes: Vec<String> = Vec::new();
    let mut first_steps: Vec<String> = Vec::new();
    if let Some(fix) = fix_with(FixStatus::AppliedPending) {
        likely_causes.push(format!(
            "Leading hypothesis: \"{}\" is applied and awaiting verification ({})",
            fix.title,
            waiting_on(fix)
        ));
        first_steps.push(format!(
            "Confirm whether \"{}\" held once this is done: {}",
            fix.title,
            waiting_on(fix)
        ));
    }
    if let Some(fix) = fix_with(FixStatus::AppliedPartial) {
        likely_causes.push(format!(
            "\"{}\" fixed it only partly: {}",
            fix.title,
            fix.partial_notes
                .as_deref()
                .unwrap_or("what remains is not recorded")
        ));
    }
    if let Some(step) = snapshot
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Partial)
    {
        likely_causes.push(format!(
            "\"{}\" helped only partly, so its area is the leading suspect",
            step.action
        ));
    }
    if let Some(step) = snapshot
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Pending)
    {
        likely_causes.push(format!(
            "\"{}\" is applied but not yet verified; confirm it before ruling it out",
            step.action
        ));
    }
    let playbook_steps: Vec<String> = match playbook {
        Some(p) => {
            likely_causes.extend(p.causes.iter().map(|c| c.to_string()));
            p.steps
                .iter()
                .filter(|s| untried(s))
                .map(|s| s.to_string())
                .collect()
        }
        None => {
            likely_causes.push("Not enough detail yet to single out a cause".to_owned());
            GENERIC_STEPS
                .iter()
                .filter(|s| untried(s))
                .map(|s| s.to_string())
                .collect()
        }
    };
    let suggested_steps: Vec<String> = first_steps.into_iter().chain(playbook_steps).collect();
    let confidence_tier = match (playbook.is_some(), snapshot.steps.len()) {
        (true, n) if n >= 2 && failed + partial >= 1 => ConfidenceTier::High,
        (true, _) => ConfidenceTier::Medium,
        (false, _) => ConfidenceTier::Low,
    };
    let ticket = snapshot
        .psa_ticket_id
        .as_deref()
        .map(|t| format!(" (ticket #{t})"))
        .unwrap_or_default();
    let summary = format!(
        "{}{ticket}. {} step{} recorded: {worked} worked, {failed} failed, {partial} partly, {pending} awaiting verification. Escalated because: {}",
        snapshot.problem_summary.trim_end_matches('.'),
        snapshot.steps.len(),
        if snapshot.steps.len() == 1 { "" } else { "s" },
        snapshot.reason.trim(),
    );
    let summary = match fix_with(FixStatus::AppliedPending) {
        Some(fix) => format!(
            "{summary} A fix is in but not yet verified: \"{}\" ({}).",
            fix.title,
            waiting_on(fix)
        ),
        None => summary,
    };
    Assessment {
        summary,
        likely_causes,
        suggested_steps,
        confidence_tier,
    }
}

fn waiting_on(fix: &SnapshotFix) -> String {
    match fix.pending_reason.as_deref() {
        Some(reason) => format!("waiting on: {}", reason.trim_end_matches('.')),
        None => "what it waits on is not recorded".to_owned(),
    }
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
fn heuristic_note(snapshot: &Snapshot) -> String {
    let with = |status: FixStatus| -> Vec<&SnapshotFix> {
        snapshot
            .fixes
            .iter()
            .filter(|f| f.status == status)
            .collect()
    };
    let ticket = snapshot
        .psa_ticket_id
        .as_deref()
        .map(|t| format!(" (ticket #{t})"))
        .unwrap_or_default();
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

/// What the model is told about the session's fixes. Like every prompt here, free of example
/// incidents, ticket numbers, names or waiting reasons that it could parrot back.
const FIX_STATUSES: &str = "Fixes carry a status: suggested (not tried), applied_verifying (applied, result not \
known yet), applied_success (worked), applied_failed (did not work), applied_partial (helped only partly; \
partial_notes says what remains), applied_pending (applied but awaiting verification; pending_reason says what is \
being waited on), dismissed.";

/// The escalation package.
const ASSESSMENT_PROMPT: &str = "You assess IT troubleshooting sessions that a junior engineer at a managed \
service provider escalated to a senior. You receive the session as JSON: the problem summary, the escalation \
reason, the steps tried with their outcomes (worked, failed, partial, or pending = applied but awaiting \
verification), and the fixes. A fix or step awaiting verification is the leading hypothesis: present it as such \
and say what is being waited on, never as confirmed. Answer with one JSON object and nothing else, with exactly \
these keys: \"summary\" (two or three sentences for the senior), \"likely_causes\" (array of short strings, most \
likely first), \"suggested_steps\" (array of short imperative next steps not already tried), \"confidence_tier\" \
(\"low\", \"medium\" or \"high\"). Use only facts from the session; do not invent names, ticket numbers or \
results.";

/// The resolution note.
const RESOLUTION_PROMPT: &str = "You write the resolution note of an IT troubleshooting session that an engineer at \
a managed service provider is closing. You receive the session as JSON: the problem summary, the steps tried with \
their outcomes, and the fixes. Say what resolved it and what was tried without success. A fix awaiting \
verification is provisional: say that it was applied and is awaiting verification, name what is being waited on, \
and do not claim that it worked. Answer in plain sentences, no headings or lists, at most 120 words. Use only \
facts from the session; do not invent names, ticket numbers or results.";

async fn messages(
    http: &reqwest::Client,
    api_key: &str,
    base_url: &str,
    model: &str,
    system: &str,
    snapshot: &Snapshot,
) -> Result<String, String> {
    let session = json!({
        "problem_summary": snapshot.problem_summary,
        "psa_ticket_id": snapshot.psa_ticket_id,
        "escalation_reason": snapshot.reason,
        "steps": snapshot.steps.iter().map(|s| json!({"action": s.action, "outcome": s.outcome, "notes": s.notes})).collect::<Vec<_>>(),
        "fixes": snapshot.fixes,
    });
    let system = format!("{system} {FIX_STATUSES}");
    let res = http
        .post(format!("{}/v1/messages", base_url.trim_end_matches('/')))
        .header("x-api-key", api_key)
        .header("anthropic-version", "2023-06-01")
        .json(&json!({
            "model": model,
            "max_tokens": 1024,
            "system": system,
            "messages": [{ "role": "user", "content": session.to_string() }],
        }))
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .map_err(|e| format!("unreadable answer: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "the API answered {status}: {}",
            body["error"]["message"]
        ));
    }
    body["content"]
        .as_array()
        .and_then(|blocks| blocks.iter().find_map(|b| b["text"].as_str()))
        .map(str::to_owned)
        .ok_or_else(|| "the answer has no text".to_owned())
}

/// The model's JSON, tolerating a code fence around it.
fn parse_assessment(text: &str) -> Result<Assessment, String> {
    let start = text.find('{').ok_or("no JSON object in the answer")?;
    let end = text.rfind('}').ok_or("no JSON object in the answer")?;
    serde_json::from_str(&text[start..=end])
        .map_err(|e| format!("the answer is not an assessment: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocab::handoffs::SnapshotStep;

    fn snapshot(summary: &str, steps: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            problem_summary: summary.into(),
            psa_ticket_id: Some("4711".into()),
            reason: "Out of ideas".into(),
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

    #[test]
    fn the_heuristic_reads_the_problem_and_the_outcomes() {
        let s = snapshot(
            "Outlook is failing to sync email",
            &[
                ("Restarted Outlook", "failed"),
                ("Create a new Outlook profile and re-sync", "partial"),
            ],
        );
        let a = heuristic(&s);
        assert_eq!(a.confidence_tier, ConfidenceTier::High);
        assert!(
            a.summary.contains("ticket #4711") && a.summary.contains("1 failed, 1 partly"),
            "{}",
            a.summary
        );
        assert!(
            a.likely_causes[0].contains("helped only partly"),
            "{:?}",
            a.likely_causes
        );
        assert!(a
            .likely_causes
            .iter()
            .any(|c| c.contains("Outlook profile")));
        assert!(
            !a.suggested_steps
                .iter()
                .any(|s| s.contains("new Outlook profile")),
            "a step already tried is not suggested again: {:?}",
            a.suggested_steps
        );
        assert!(!a.suggested_steps.is_empty());
    }

    #[test]
    fn an_unfamiliar_problem_is_low_confidence_with_generic_steps() {
        let a = heuristic(&snapshot("The thing is weird", &[]));
        assert_eq!(a.confidence_tier, ConfidenceTier::Low);
        assert_eq!(a.suggested_steps.len(), GENERIC_STEPS.len());
    }

    #[test]
    fn a_pending_step_is_named_as_awaiting_verification() {
        let a = heuristic(&snapshot(
            "Printer offline",
            &[("Restarted the spooler", "pending")],
        ));
        assert!(
            a.likely_causes[0].contains("awaiting")
                || a.likely_causes[0].contains("not yet verified")
        );
    }

    #[test]
    fn the_model_answer_is_read_through_a_code_fence() {
        let text = "```json\n{\"summary\":\"s\",\"likely_causes\":[\"c\"],\"suggested_steps\":[],\"confidence_tier\":\"medium\"}\n```";
        let a = parse_assessment(text).unwrap();
        assert_eq!(a.confidence_tier, ConfidenceTier::Medium);
        assert!(parse_assessment("no json here").is_err());
    }

    #[test]
    fn a_pending_fix_leads_the_package_as_a_hypothesis_and_is_provisional_in_the_note() {
        let mut s = snapshot(
            "Mapped drives missing after a password change",
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
        let a = heuristic(&s);
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

        let note = heuristic_note(&s);
        assert!(note.contains("Provisional: \"Reset the machine account\" was applied and is awaiting verification (waiting on: the client's overnight reboot)"), "{note}");
        assert!(
            !note.contains("Resolved by"),
            "a pending fix is never said to have worked: {note}"
        );
        assert!(
            note.contains(
                "Tried without success: Re-entered the credentials; Clear cached credentials."
            ),
            "{note}"
        );

        s.fixes[1].status = FixStatus::AppliedSuccess;
        let note = heuristic_note(&s);
        assert!(
            note.contains("Resolved by: \"Reset the machine account\"."),
            "{note}"
        );
        assert!(!note.contains("Provisional"), "{note}");
    }

    #[test]
    fn the_prompts_carry_no_example_incident_to_parrot() {
        for prompt in [ASSESSMENT_PROMPT, RESOLUTION_PROMPT, FIX_STATUSES] {
            for needle in [
                "Jane",
                "#1",
                "Outlook",
                "e.g.",
                "for example",
                "Example",
                "waiting on the",
                "reboot",
                "replication",
            ] {
                assert!(!prompt.contains(needle), "{needle} in {prompt}");
            }
        }
    }
}
