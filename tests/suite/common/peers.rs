//! Local stand-ins that speak the real protocols of the outside systems: an SMTP server (that
//! accepts or refuses mail) and an HTTP server for webhooks and the Anthropic API.

use axum::Router;
use std::sync::{Arc, Mutex};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::watch,
};

/// Mail an SMTP sink received: (recipients, raw message).
pub type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// An SMTP server on 127.0.0.1. `refuse` answers every MAIL FROM with 554.
pub async fn smtp_sink(refuse: bool) -> (String, Inbox) {
    sink(refuse, None).await
}

/// An SMTP server on 127.0.0.1 that accepts connections but greets no client until `gate`
/// turns true: mail held for as long as a test needs.
pub async fn smtp_sink_held(gate: watch::Receiver<bool>) -> (String, Inbox) {
    sink(false, Some(gate)).await
}

async fn sink(refuse: bool, gate: Option<watch::Receiver<bool>>) -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let inbox: Inbox = Arc::default();
    let store = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            let gate = gate.clone();
            tokio::spawn(async move {
                if let Some(mut gate) = gate {
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                }
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP ready\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store
                                .lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM") {
                        if refuse {
                            b"554 5.7.1 relaying refused\r\n"
                        } else {
                            b"250 2.1.0 ok\r\n"
                        }
                    } else if upper.starts_with("RCPT TO") {
                        rcpt.push(
                            line[8..]
                                .trim()
                                .trim_matches(|c| c == '<' || c == '>')
                                .to_owned(),
                        );
                        b"250 2.1.5 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (url, inbox)
}

/// Serves `app` on 127.0.0.1 and returns its base URL.
pub async fn http_server(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    url
}

/// The `n`-th mail the sink received (1 is the first), once it has arrived.
pub async fn nth_mail(inbox: &Inbox, n: usize) -> String {
    super::wait_for(async || inbox.lock().unwrap().get(n - 1).map(|m| m.1.clone())).await
}

/// A mail's text as a mail client shows it: a body that travels quoted-printable (it has a
/// non-ASCII "·", say) with its soft line breaks joined and "=" written as "=3D" undone.
pub fn readable(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// The token of the `…{path}?token=` link in the `n`-th mail.
pub async fn mailed_token(inbox: &Inbox, n: usize, path: &str) -> String {
    let raw = readable(&nth_mail(inbox, n).await);
    let link = format!("{path}?token=");
    let at = raw
        .find(&link)
        .unwrap_or_else(|| panic!("a {path} link in the mail"));
    raw[at + link.len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// A real OpenID Connect provider (`end2end/oidc/provider.mjs`, the `oidc-provider` package)
/// on a free port, playing Google at `{url}/google` and Microsoft's multi-tenant issuer at
/// `{url}/ms/organizations/v2.0`. It stops when this is dropped.
pub struct OidcProvider {
    pub url: String,
    _process: tokio::process::Child,
}

impl OidcProvider {
    pub async fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/oidc/provider.mjs");
        let mut process = tokio::process::Command::new("node")
            .arg(script)
            .env("PORT", "0")
            .env("RF_OIDC_REDIRECT_BASES", "http://127.0.0.1:3000")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the OpenID provider (scripts/test.sh installs it)");
        let mut stdout = BufReader::new(process.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).await.unwrap();
        // The provider goes on printing notes; a closed pipe would stop it.
        tokio::spawn(async move { tokio::io::copy(&mut stdout, &mut tokio::io::sink()).await });
        let started: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        OidcProvider {
            url: format!("http://127.0.0.1:{}", started["port"]),
            _process: process,
        }
    }

    /// The environment that registers this server with both providers.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        for (provider, issuer) in [
            ("GOOGLE", format!("{}/google", self.url)),
            ("MICROSOFT", format!("{}/ms/organizations/v2.0", self.url)),
        ] {
            let id = format!("rf-{}", provider.to_lowercase());
            env.push((format!("RF_OIDC_{provider}_CLIENT_ID"), id.clone()));
            env.push((
                format!("RF_OIDC_{provider}_CLIENT_SECRET"),
                format!("{id}-secret"),
            ));
            env.push((format!("RF_OIDC_{provider}_ISSUER"), issuer));
        }
        env
    }
}
