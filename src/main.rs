//! `resolutionflow`: the server and its operator commands (the README).

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::{
    config::{Config, Purpose},
    db,
    links::LinkMail,
    notify::{MailStatus, Mailer},
    password_reset, seed, site_admin,
    state::AppState,
};
use resolutionflow::http;

/// jemalloc rather than glibc's malloc: the server holds thousands of small per-connection
/// allocations (open streams) next to short bursts of large ones (password hashing), and glibc
/// kept the latter's memory resident long after (docs/PERFORMANCE.md has the figures).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "resolutionflow",
    version,
    about = "ResolutionFlow server and operator tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve HTTP (the default).
    Serve,
    /// Apply the migrations in migrations/ and exit.
    Migrate,
    /// Create the demo accounts and users; running it again changes nothing.
    SeedDemo {
        /// Make another copy of them beside the README's, its own in every way: its people are
        /// `jane@acme-TAG.test` and so on (1 to 32 of a-z, 0-9 and -).
        #[arg(long, value_name = "TAG")]
        world: Option<String>,
    },
    /// Create (or promote) the site-wide super admin and give them a password-reset link.
    CreateSiteAdmin {
        /// Their e-mail (lower-cased).
        #[arg(long)]
        email: String,
        /// Print the reset link (the default).
        #[arg(long, conflicts_with = "send_reset")]
        print_reset: bool,
        /// Mail the reset link; printed instead when the mail can't be sent.
        #[arg(long)]
        send_reset: bool,
        /// Only promote an existing user: create nobody, mint no link.
        #[arg(long)]
        promote_only: bool,
    },
    /// Score the built-in assessor on labelled tickets: how often it names the right area, how
    /// often it says "low", and every answer that was wrong at medium or high confidence.
    AssessEval {
        /// A set in the evaluation format (docs/ARCHITECTURE.md, "The built-in assessor");
        /// the repository's own set when left out.
        file: Option<std::path::PathBuf>,
        /// List the areas a set's labels may name, and exit.
        #[arg(long)]
        areas: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Migrate => migrate().await,
        Command::SeedDemo { world } => seed_demo(world.as_deref()).await,
        Command::CreateSiteAdmin {
            email,
            print_reset: _,
            send_reset,
            promote_only,
        } => create_site_admin(&email, send_reset, promote_only).await,
        Command::AssessEval { file, areas } => assess_eval(file.as_deref(), areas),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Prints the assessor's figures on a set; a set that does not read is an error naming its line.
fn assess_eval(file: Option<&std::path::Path>, areas: bool) -> anyhow::Result<()> {
    use domain::assessor::{Report, BUILT_IN_SET, PLAYBOOKS};
    if areas {
        for playbook in PLAYBOOKS {
            println!("{:<18} {}", playbook.area, playbook.name);
        }
        println!(
            "{:<18} too little to name an area (right when the answer is low)",
            "none"
        );
        return Ok(());
    }
    let (name, set) = match file {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?
                .into(),
        ),
        None => (
            "the built-in set".to_owned(),
            std::borrow::Cow::Borrowed(BUILT_IN_SET),
        ),
    };
    let report = Report::of(&set).map_err(anyhow::Error::msg).context(name)?;
    print!("{report}");
    Ok(())
}

fn init_tracing() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower=warn,hyper=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("RF_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

async fn connect(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    db::connect(&config.database_url, config.database_max_connections)
        .await
        .context("could not connect to DATABASE_URL")
}

/// The operator's connection (migrations, `create-site-admin`): never used by a request.
async fn connect_admin(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    db::connect(&config.admin_database_url, 2)
        .await
        .context("could not connect to ADMIN_DATABASE_URL (or DATABASE_URL)")
}

async fn migrate() -> anyhow::Result<()> {
    let config = Config::from_env(Purpose::Tool)?;
    let pool = connect_admin(&config).await?;
    db::migrate(&pool).await.context("migrations failed")?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn seed_demo(world: Option<&str>) -> anyhow::Result<()> {
    let world = match world {
        Some(tag) => seed::World::tagged(tag).map_err(anyhow::Error::msg)?,
        None => seed::World::README,
    };
    let config = Config::from_env(Purpose::Tool)?;
    let pool = connect(&config).await?;
    let report = seed::seed_world(&pool, world)
        .await
        .context("seeding failed")?;
    if report.is_empty() {
        println!("demo data already present; nothing changed");
    } else {
        println!(
            "demo data created: {} accounts, {} users, {} subscriptions, {} sessions (password: {})",
            report.accounts,
            report.users,
            report.subscriptions,
            report.sessions,
            seed::DEMO_PASSWORD
        );
    }
    Ok(())
}

async fn create_site_admin(
    email: &str,
    send_reset: bool,
    promote_only: bool,
) -> anyhow::Result<()> {
    let config = Config::from_env(Purpose::Tool)?;
    let pool = connect_admin(&config).await?;
    let outcome =
        site_admin::create_or_promote(&pool, email, promote_only, chrono::Utc::now()).await?;
    println!(
        "{} site admin {} (user {}, account {})",
        if outcome.created {
            "created"
        } else {
            "promoted"
        },
        outcome.email,
        outcome.user_id,
        outcome.account_id
    );
    let Some(token) = outcome.reset_token else {
        return Ok(());
    };
    let url = password_reset::reset_url(&config.public_url, &token);
    if send_reset {
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_from)
            .map_err(anyhow::Error::msg)?;
        let status = LinkMail {
            to: &outcome.email,
            subject: "Set your ResolutionFlow password",
            lead: "You are the site administrator of ResolutionFlow.\n\n\
                   Set your password here (the link works once, for a day):",
            link: &url,
            tail: "",
            kind: "reset",
        }
        .send(&mailer, &pool, outcome.account_id)
        .await;
        match status {
            MailStatus::Sent => {
                println!("reset link mailed to {}", outcome.email);
                return Ok(());
            }
            MailStatus::Logged => println!("no RF_SMTP_URL, so nothing was mailed; the link:"),
            MailStatus::Failed(e) => println!("the mail could not be sent ({e}); the link:"),
        }
    }
    println!("reset link (valid for 24 hours, once): {url}");
    Ok(())
}

async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env(Purpose::Serve)?;
    if config.jwt_secret_generated {
        tracing::warn!(
            "RF_DEV=1 and no RF_JWT_SECRET: using a random signing secret; \
             every session ends when this process stops"
        );
    }
    tracing::info!(?config, "starting");
    if config.webhook_allow_private {
        tracing::warn!(
            "RF_WEBHOOK_ALLOW_PRIVATE=true: webhooks may use plain http and reach loopback and \
             private addresses; for local testing only"
        );
    }
    // Migrations through the operator's role; requests never use it.
    let admin = connect_admin(&config).await?;
    db::migrate(&admin).await.context("migrations failed")?;
    admin.close().await;
    let pool = connect(&config).await?;
    if let Some(why) = db::privileged_role(&pool).await? {
        anyhow::bail!(
            "DATABASE_URL connects as a role that row-level security does not hold ({why}); \
             serve requests as a login role that is only a member of {} \
             (scripts/run.sh creates one) and keep the operator's in ADMIN_DATABASE_URL",
            db::APP_ROLE
        );
    }

    let addr = config.site_addr;
    let max_connections = config.max_connections;
    let state = AppState::start(pool, config)
        .await
        .map_err(anyhow::Error::msg)?;
    let bus = state.bus.clone();
    tokio::spawn(prune_now_and_then(state.pool.clone(), state.limits.window));
    let app = http::router(state);

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    tracing::info!("listening on http://{addr}");
    http::serve(listener, app, max_connections, async move {
        shutdown_signal().await;
        // Open escalation streams never finish by themselves: end them, or shutdown waits forever.
        bus.close();
    })
    .await;
    tracing::info!("stopped");
    Ok(())
}

/// Deletes expired rows at start and every hour after (`db::prune`); a failure is logged and
/// tried again next time.
async fn prune_now_and_then(pool: sqlx::PgPool, throttle_window: chrono::Duration) {
    let mut every = tokio::time::interval(db::PRUNE_EVERY);
    loop {
        every.tick().await;
        match db::prune(&pool, throttle_window, chrono::Utc::now()).await {
            Ok(pruned) => tracing::debug!(pruned, "expired rows pruned"),
            Err(e) => tracing::warn!(error = %e, "pruning expired rows"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
