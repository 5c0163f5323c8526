//! A tiny argument parser: `--name value`, `--flag`. Enough for xtask, with no dependency.

use anyhow::{bail, Context};

pub struct Args {
    rest: Vec<String>,
}

impl Args {
    pub fn from_env() -> Args {
        Args {
            rest: std::env::args().skip(1).collect(),
        }
    }

    pub fn command(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            None
        } else {
            Some(self.rest.remove(0))
        }
    }

    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != name);
        before != self.rest.len()
    }

    pub fn value(&mut self, name: &str) -> anyhow::Result<Option<String>> {
        let Some(i) = self.rest.iter().position(|a| a == name) else {
            return Ok(None);
        };
        if i + 1 >= self.rest.len() {
            bail!("{name} needs a value");
        }
        let v = self.rest.remove(i + 1);
        self.rest.remove(i);
        Ok(Some(v))
    }

    pub fn port(&mut self, name: &str, default: u16) -> anyhow::Result<u16> {
        match self.value(name)? {
            Some(v) => v
                .parse()
                .with_context(|| format!("{name} takes a port number, got `{v}`")),
            None => Ok(default),
        }
    }

    pub fn finish(&self) -> anyhow::Result<()> {
        if let Some(a) = self.rest.first() {
            bail!("unexpected argument `{a}`; see `cargo xtask help`");
        }
        Ok(())
    }
}
