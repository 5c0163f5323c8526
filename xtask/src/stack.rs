//! The whole system on loopback: Notion emulator, relay (serving the panel) and workspace
//! simulator, as child processes of the binaries cargo built.
//!
//! Each server prints `listening on <url>` as its first stdout line; we wait for it, so a server
//! that fails to start is reported with its own error instead of a later connection refusal.
//! Dropping a [`Stack`] stops every process.

use anyhow::{bail, Context};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The OAuth client the emulator accepts by default, and the relay uses in development.
pub const DEV_CLIENT_ID: &str = "notion-sync-dev";
pub const DEV_CLIENT_SECRET: &str = "dev-secret";
pub const DEV_EXTENSION_ID: &str = "notion-sync-dev";

#[derive(Debug, Clone)]
pub struct StackConfig {
    /// The folder the simulator serves as the Repl.
    pub workspace_dir: PathBuf,
    /// Ports; 0 picks a free one.
    pub emulator_port: u16,
    pub relay_port: u16,
    pub sim_port: u16,
    /// The relay's SQLite database and its generated secret live here.
    pub data_dir: PathBuf,
    pub panel_dir: PathBuf,
    /// Where cargo put the binaries (target/debug).
    pub bin_dir: PathBuf,
    /// Passed to the emulator: compresses rate-limit windows and delays in tests.
    pub time_scale: f64,
    /// Forward the servers' logs to this terminal.
    pub verbose: bool,
    /// Use this real Notion OAuth client instead of starting the emulator.
    pub real_notion: Option<(String, String)>,
}

impl StackConfig {
    pub fn for_tests(workspace_dir: PathBuf, data_dir: PathBuf) -> StackConfig {
        StackConfig {
            workspace_dir,
            emulator_port: 0,
            relay_port: 0,
            sim_port: 0,
            data_dir,
            panel_dir: crate::target_dir().join("panel"),
            bin_dir: crate::target_dir().join("debug"),
            time_scale: 60.0,
            verbose: std::env::var_os("E2E_LOG").is_some(),
            real_notion: None,
        }
    }
}

pub struct Stack {
    children: Vec<(String, Child)>,
    /// How the relay was started, so tests can stop it and start it again on the same port.
    relay_spec: Option<RelaySpec>,
    /// None when real Notion is used.
    pub emulator_url: Option<String>,
    pub relay_url: String,
    pub sim_url: String,
    /// Where the panel is served (the relay, in self-hosted mode).
    pub panel_url: String,
}

impl Stack {
    pub fn start(cfg: &StackConfig) -> anyhow::Result<Stack> {
        for bin in ["relay", "notion-emulator", "workspace-sim"] {
            if !cfg.bin_dir.join(bin).exists() {
                bail!("{} is missing: build with `cargo build -p server -p notion-emulator -p workspace-sim`", cfg.bin_dir.join(bin).display());
            }
        }
        if !cfg.panel_dir.join("panel_bg.wasm").exists() {
            bail!(
                "the panel is not built ({} missing): run `cargo xtask dist`",
                cfg.panel_dir.join("panel_bg.wasm").display()
            );
        }
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
        let mut stack = Stack {
            children: Vec::new(),
            relay_spec: None,
            emulator_url: None,
            relay_url: String::new(),
            sim_url: String::new(),
            panel_url: String::new(),
        };
        // The relay and the simulator need each other's address, so ports are chosen first.
        let relay_port = pick_port(cfg.relay_port)?;
        let sim_port = pick_port(cfg.sim_port)?;
        let sim_base = format!("http://127.0.0.1:{sim_port}/");

        let (api_base, client_id, client_secret) = match &cfg.real_notion {
            Some((id, secret)) => (
                "https://api.notion.com/".to_string(),
                id.clone(),
                secret.clone(),
            ),
            None => {
                let mut emu = Command::new(cfg.bin_dir.join("notion-emulator"));
                emu.args(["--port", &cfg.emulator_port.to_string(), "--seed", "demo"])
                    .args(["--time-scale", &cfg.time_scale.to_string()])
                    .args([
                        "--oauth-client-id",
                        DEV_CLIENT_ID,
                        "--oauth-client-secret",
                        DEV_CLIENT_SECRET,
                    ]);
                let url = stack.spawn("emulator", emu, cfg.verbose)?;
                stack.emulator_url = Some(url.clone());
                (
                    url,
                    DEV_CLIENT_ID.to_string(),
                    DEV_CLIENT_SECRET.to_string(),
                )
            }
        };

        let secret = dev_secret(&cfg.data_dir)?;
        let mut relay = Command::new(cfg.bin_dir.join("relay"));
        relay
            .env("BIND", "127.0.0.1")
            .env("PORT", relay_port.to_string())
            .env(
                "DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    cfg.data_dir.join("relay.db").display()
                ),
            )
            .env("SECRET_KEY", secret)
            .env("REPLIT_EXTENSION_ID", DEV_EXTENSION_ID)
            .env("REPLIT_KEY_SOURCE", &sim_base)
            .env("NOTION_CLIENT_ID", client_id)
            .env("NOTION_CLIENT_SECRET", client_secret)
            .env("NOTION_API_BASE", ensure_slash(&api_base))
            .env("PANEL_DIR", &cfg.panel_dir)
            .env("ALLOWED_ORIGINS", sim_base.trim_end_matches('/'))
            .env(
                "LOG_LEVEL",
                std::env::var("LOG_LEVEL").unwrap_or_else(|_| "info".into()),
            )
            .env_remove("PUBLIC_URL")
            .env_remove("NOTION_REDIRECT_URI");
        stack.relay_spec = Some(RelaySpec {
            bin: cfg.bin_dir.join("relay"),
            envs: relay
                .get_envs()
                .map(|(k, v)| (k.to_os_string(), v.map(|v| v.to_os_string())))
                .collect(),
            verbose: cfg.verbose,
        });
        stack.relay_url = stack.spawn("relay", relay, cfg.verbose)?;
        stack.panel_url = stack.relay_url.clone();

        let mut sim = Command::new(cfg.bin_dir.join("workspace-sim"));
        sim.args(["--port", &sim_port.to_string()])
            .arg("--dir")
            .arg(&cfg.workspace_dir)
            .args([
                "--panel-url",
                &stack.panel_url,
                "--extension-id",
                DEV_EXTENSION_ID,
            ])
            .arg("--comlink")
            .arg(crate::root().join("extension/node_modules/comlink/dist/umd/comlink.js"))
            .arg("--key-file")
            .arg(cfg.data_dir.join("simulator-key.pem"));
        stack.sim_url = stack.spawn("simulator", sim, cfg.verbose)?;
        Ok(stack)
    }

    fn spawn(&mut self, name: &str, mut cmd: Command, verbose: bool) -> anyhow::Result<String> {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        if !verbose {
            cmd.stderr(Stdio::null());
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting the {name}"))?;
        let stdout = child.stdout.take().context("child stdout")?;
        let url = match first_line_url(stdout, name, verbose) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait().ok();
                return Err(e.context(format!("the {name} did not start (exit: {status:?}); rerun with E2E_LOG=1 or see its output above")));
            }
        };
        self.children.push((name.to_string(), child));
        Ok(ensure_slash(&url))
    }

    /// Stops the relay (SIGTERM, then kill), leaving the emulator and the simulator running:
    /// what the panel sees when its sync server goes away.
    pub fn stop_relay(&mut self) {
        if let Some(i) = self.children.iter().position(|(n, _)| n == "relay") {
            let (_, mut child) = self.children.remove(i);
            terminate(&mut child, Duration::from_secs(3));
        }
    }

    /// Starts the relay again with the same settings, port and database (after
    /// [`Stack::stop_relay`]); returns once it listens.
    pub fn start_relay(&mut self) -> anyhow::Result<()> {
        if self.children.iter().any(|(n, _)| n == "relay") {
            bail!("the relay is already running");
        }
        let spec = self
            .relay_spec
            .clone()
            .context("this stack did not start a relay")?;
        // The port was just released; give the OS a moment if it is still busy.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mut attempt = Command::new(&spec.bin);
            for (k, v) in &spec.envs {
                match v {
                    Some(v) => attempt.env(k, v),
                    None => attempt.env_remove(k),
                };
            }
            match self.spawn("relay", attempt, spec.verbose) {
                Ok(url) if url == self.relay_url => return Ok(()),
                Ok(url) => bail!("the relay came back on {url}, not {}", self.relay_url),
                Err(e) if std::time::Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Stops every process: SIGTERM first (graceful), then kill.
    pub fn stop(&mut self) {
        #[cfg(unix)]
        for (_, child) in &self.children {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
        }
        for (_, child) in &mut self.children {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                }
            }
        }
        self.children.clear();
    }

    /// Waits until one of the processes exits; returns its name.
    pub fn wait_any(&mut self, stop: &std::sync::atomic::AtomicBool) -> Option<String> {
        loop {
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            for (name, child) in &mut self.children {
                if let Ok(Some(_)) = child.try_wait() {
                    return Some(name.clone());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// What it takes to start the relay again.
#[derive(Debug, Clone)]
struct RelaySpec {
    bin: PathBuf,
    envs: Vec<(std::ffi::OsString, Option<std::ffi::OsString>)>,
    verbose: bool,
}

/// SIGTERM, then kill after `grace`.
fn terminate(child: &mut Child, grace: Duration) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = std::time::Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop();
    }
}

fn first_line_url(stdout: ChildStdout, name: &str, verbose: bool) -> anyhow::Result<String> {
    let (tx, rx) = mpsc::channel();
    let name = name.to_string();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = tx.send(first);
        // Keep draining so the child never blocks on a full pipe.
        for line in lines.map_while(Result::ok) {
            if verbose {
                eprintln!("[{name}] {line}");
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .context("no `listening on` line within 60 s")?
        .context("exited before listening")?
        .context("reading its output")?;
    line.strip_prefix("listening on ")
        .map(|u| u.trim().to_string())
        .with_context(|| format!("unexpected first line: {line}"))
}

fn pick_port(port: u16) -> anyhow::Result<u16> {
    if port != 0 {
        return Ok(port);
    }
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

fn ensure_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// A random SECRET_KEY kept in the data folder, so restarts can open the tokens they sealed.
fn dev_secret(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = data_dir.join("secret_key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        if s.trim().len() >= 32 {
            return Ok(s.trim().to_string());
        }
    }
    let mut bytes = [0u8; 32];
    let mut f = std::fs::File::open("/dev/urandom").context("reading /dev/urandom")?;
    std::io::Read::read_exact(&mut f, &mut bytes)?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    Ok(secret)
}
