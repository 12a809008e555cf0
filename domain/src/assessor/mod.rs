//! The AI assessment of an escalated session: what is probably wrong and what to try next.
//! Two real implementations: a built-in heuristic (the default) that reads the session's steps
//! and their outcomes, and the Anthropic Messages API when `RF_ANTHROPIC_API_KEY` is set.

mod eval;
mod heuristic;
mod playbooks;
mod words;

pub use eval::{Report, BUILT_IN_SET};
pub use playbooks::PLAYBOOKS;
use serde_json::{json, Value};
use std::time::Duration;
use vocab::handoffs::{Assessment, Snapshot};

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
            Assessor::Heuristic => Ok(heuristic::assess(snapshot)),
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
        heuristic::note(snapshot)
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
    use vocab::handoffs::ConfidenceTier;

    #[test]
    fn the_model_answer_is_read_through_a_code_fence() {
        let text = "```json\n{\"summary\":\"s\",\"likely_causes\":[\"c\"],\"suggested_steps\":[],\"confidence_tier\":\"medium\"}\n```";
        let a = parse_assessment(text).unwrap();
        assert_eq!(a.confidence_tier, ConfidenceTier::Medium);
        assert!(parse_assessment("no json here").is_err());
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
