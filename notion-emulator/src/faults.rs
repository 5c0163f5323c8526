//! Fault injection: answers Notion (or the proxies in front of it) gives on a bad day.
//!
//! A [`FaultPlan`] is a seed plus rules. A rule names a [`FaultKind`], which requests it applies
//! to (method and a path glob, both optional) and when it fires: on each of the next `count`
//! matching requests (scripted), with `probability` per matching request (seeded random), or
//! always. Rules are tried in order and the first that fires wins. The random draws come from
//! one generator seeded with the plan's seed, so a given seed and request sequence always
//! injects the same faults.
//!
//! Text form (`--faults`): rules separated by `;`, fields by `,`; the first field of a rule is
//! its kind, the others `key=value` with keys `p` (probability), `next` (count), `method`,
//! `path` and `ms` (delay). A lone `seed=N` sets the seed. Example:
//! `seed=7;500,p=0.1,method=GET;reset,next=1,method=POST,path=/v1/pages`.

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// 429 `rate_limited` with `Retry-After`.
    #[serde(rename = "429")]
    RateLimited,
    /// 500 `internal_server_error`.
    #[serde(rename = "500")]
    InternalError,
    /// 502 with Cloudflare's HTML body (not JSON).
    #[serde(rename = "502")]
    BadGateway,
    /// 503 `service_unavailable`.
    #[serde(rename = "503")]
    Unavailable,
    /// 529 `service_overload` with `Retry-After`.
    #[serde(rename = "529")]
    Overloaded,
    /// The request waits `delay_ms` (default 65 s, past the SDKs' 60 s timeout) before it is
    /// handled.
    #[serde(rename = "delay")]
    Delay,
    /// The connection is reset; the request is not handled.
    #[serde(rename = "reset")]
    Reset,
    /// The request is handled (a write is applied), then the connection is reset instead of
    /// answering.
    #[serde(rename = "lost")]
    Lost,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::RateLimited => "429",
            FaultKind::InternalError => "500",
            FaultKind::BadGateway => "502",
            FaultKind::Unavailable => "503",
            FaultKind::Overloaded => "529",
            FaultKind::Delay => "delay",
            FaultKind::Reset => "reset",
            FaultKind::Lost => "lost",
        }
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "429" | "rate_limited" => FaultKind::RateLimited,
            "500" | "internal_server_error" => FaultKind::InternalError,
            "502" | "bad_gateway" => FaultKind::BadGateway,
            "503" | "service_unavailable" => FaultKind::Unavailable,
            "529" | "service_overload" => FaultKind::Overloaded,
            "delay" | "timeout" => FaultKind::Delay,
            "reset" | "connection_reset" => FaultKind::Reset,
            "lost" | "response_lost" | "applied_but_lost" => FaultKind::Lost,
            other => {
                return Err(format!(
                    "unknown fault kind `{other}` (expected 429, 500, 502, 503, 529, delay, reset or lost)"
                ))
            }
        })
    }
}

/// One rule. With neither `probability` nor `count`, it fires on every matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    pub kind: FaultKind,
    /// Fire with this probability (0–1) on each matching request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fire on each of the next `count` matching requests, then never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// HTTP method (case-insensitive); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob (`*` matches any run of characters, `/` included); any `/v1/` path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For `delay`: how long, in milliseconds (real time; not scaled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl FaultRule {
    fn validate(&self) -> Result<(), String> {
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("fault probability must be within 0..=1, got {p}"));
            }
            if self.count.is_some() {
                return Err("a fault rule takes `probability` or `count`, not both".into());
            }
        }
        if self.delay_ms.is_some() && self.kind != FaultKind::Delay {
            return Err("`delay_ms` only applies to `delay` faults".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path
                .as_deref()
                .is_none_or(|glob| glob_match(glob, path))
    }
}

/// A seed and rules (`--faults`, `POST /__emulator/faults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    pub fn validate(&self) -> Result<(), String> {
        self.rules.iter().try_for_each(FaultRule::validate)
    }
}

impl FromStr for FaultPlan {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut plan = FaultPlan::default();
        for item in spec.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            if let Some(seed) = item.strip_prefix("seed=") {
                plan.seed = seed
                    .trim()
                    .parse()
                    .map_err(|_| format!("invalid fault seed `{seed}`"))?;
                continue;
            }
            plan.rules.push(parse_rule(item)?);
        }
        plan.validate()?;
        Ok(plan)
    }
}

fn parse_rule(item: &str) -> Result<FaultRule, String> {
    let mut fields = item.split(',').map(str::trim);
    let kind: FaultKind = fields.next().unwrap_or_default().parse()?;
    let mut rule = FaultRule {
        kind,
        probability: None,
        count: None,
        method: None,
        path: None,
        delay_ms: None,
    };
    for field in fields.filter(|f| !f.is_empty()) {
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("fault field `{field}` should be key=value"))?;
        let bad = || format!("invalid value in fault field `{field}`");
        match key.trim() {
            "p" | "probability" => rule.probability = Some(value.parse().map_err(|_| bad())?),
            "next" | "count" => rule.count = Some(value.parse().map_err(|_| bad())?),
            "method" => rule.method = Some(value.to_string()),
            "path" => rule.path = Some(value.to_string()),
            "ms" | "delay_ms" => rule.delay_ms = Some(value.parse().map_err(|_| bad())?),
            other => {
                return Err(format!(
                    "unknown fault field `{other}` (expected p, next, method, path or ms)"
                ))
            }
        }
    }
    Ok(rule)
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(glob: &str, text: &str) -> bool {
    let (g, t) = (glob.as_bytes(), text.as_bytes());
    let (mut gi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if gi < g.len() && g[gi] == b'*' {
            star = Some((gi, ti));
            gi += 1;
        } else if gi < g.len() && g[gi] == t[ti] {
            gi += 1;
            ti += 1;
        } else if let Some((sg, st)) = star {
            gi = sg + 1;
            ti = st + 1;
            star = Some((sg, st + 1));
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|c| *c == b'*')
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub delay: Duration,
}

/// Default delay: past the 60 s timeout of Notion's SDKs.
const DEFAULT_DELAY: Duration = Duration::from_secs(65);

/// The live rules: remaining counts and the random generator.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Live>,
}

#[derive(Debug)]
struct Live {
    plan: FaultPlan,
    rng: StdRng,
    injected: u64,
}

/// What `GET /__emulator/faults` shows: the rules with their remaining counts.
#[derive(Debug, Clone, Serialize)]
pub struct FaultStatus {
    pub seed: u64,
    pub rules: Vec<FaultRule>,
    pub injected: u64,
}

impl Faults {
    pub fn new(plan: FaultPlan) -> Self {
        Faults {
            inner: Mutex::new(Live {
                rng: StdRng::seed_from_u64(plan.seed),
                plan,
                injected: 0,
            }),
        }
    }

    /// Replaces the rules and reseeds (the count of injected faults starts over).
    pub fn set(&self, plan: FaultPlan) {
        *self.lock() = Live {
            rng: StdRng::seed_from_u64(plan.seed),
            plan,
            injected: 0,
        };
    }

    pub fn status(&self) -> FaultStatus {
        let live = self.lock();
        FaultStatus {
            seed: live.plan.seed,
            rules: live.plan.rules.clone(),
            injected: live.injected,
        }
    }

    /// The fault for this request, if a rule fires.
    pub fn decide(&self, method: &str, path: &str) -> Option<Fault> {
        let mut live = self.lock();
        let Live {
            plan,
            rng,
            injected,
            ..
        } = &mut *live;
        for rule in plan.rules.iter_mut() {
            if !rule.matches(method, path) {
                continue;
            }
            let fires = match (rule.count.as_mut(), rule.probability) {
                (Some(0), _) => false,
                (Some(n), _) => {
                    *n -= 1;
                    true
                }
                (None, Some(p)) => rng.gen_bool(p),
                (None, None) => true,
            };
            if fires {
                *injected += 1;
                return Some(Fault {
                    kind: rule.kind,
                    delay: rule
                        .delay_ms
                        .map(Duration::from_millis)
                        .unwrap_or(DEFAULT_DELAY),
                });
            }
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Live> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The body Cloudflare serves when Notion's origin fails (a 502 that is not JSON).
pub const CLOUDFLARE_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_text_form() {
        let plan: FaultPlan =
            "seed=7; 500,p=0.25,method=GET ;reset,next=2,path=/v1/pages*;delay,ms=50"
                .parse()
                .unwrap();
        assert_eq!(plan.seed, 7);
        assert_eq!(plan.rules.len(), 3);
        assert_eq!(plan.rules[0].kind, FaultKind::InternalError);
        assert_eq!(plan.rules[0].probability, Some(0.25));
        assert_eq!(plan.rules[1].count, Some(2));
        assert_eq!(plan.rules[2].delay_ms, Some(50));
        for bad in [
            "418",
            "500,p=2",
            "500,p=0.1,next=1",
            "500,colour=red",
            "reset,ms=3",
            "seed=x",
        ] {
            assert!(bad.parse::<FaultPlan>().is_err(), "{bad}");
        }
        assert_eq!("".parse::<FaultPlan>().unwrap(), FaultPlan::default());
    }

    #[test]
    fn globs() {
        assert!(glob_match("/v1/pages/*/markdown", "/v1/pages/abc/markdown"));
        assert!(!glob_match("/v1/pages/*/markdown", "/v1/pages/abc"));
        assert!(glob_match("/v1/*", "/v1/search"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("/v1/pages", "/v1/pages/x"));
    }

    #[test]
    fn scripted_rules_fire_the_next_n_times() {
        let faults = Faults::new("503,next=2,method=POST".parse().unwrap());
        assert_eq!(faults.decide("GET", "/v1/search"), None);
        assert!(faults.decide("POST", "/v1/search").is_some());
        assert!(faults.decide("post", "/v1/pages").is_some());
        assert_eq!(faults.decide("POST", "/v1/pages"), None);
        assert_eq!(faults.status().injected, 2);
    }

    #[test]
    fn random_rules_are_deterministic_per_seed() {
        let run = |seed: u64| {
            let faults = Faults::new(FaultPlan {
                seed,
                rules: vec![FaultRule {
                    kind: FaultKind::InternalError,
                    probability: Some(0.3),
                    count: None,
                    method: None,
                    path: None,
                    delay_ms: None,
                }],
            });
            (0..200)
                .map(|_| faults.decide("GET", "/v1/users/me").is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        let hits = run(1).iter().filter(|h| **h).count();
        assert!((30..90).contains(&hits), "{hits}");
    }
}
