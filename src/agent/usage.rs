//! What each call cost: per-call tokens and dollars out of the running totals some CLIs
//! report for a resumed session, and `Spend`, their sum over many calls, in which an
//! unknown cost stays unknown instead of counting as zero.

use serde::Serialize;

use super::native::Report;
use super::outcome::{SessionTotals, Usage};

/// Returns this call's usage and cost, and the session's running totals after it.
///
/// `previous` holds the totals the same session reached at its last call (`None` for a
/// new session). A CLI's running total is turned into this call's share by subtracting
/// them; a total smaller than `previous` means the session started over, so it is this
/// call's alone.
pub(crate) fn per_call(
    report: &Report,
    previous: Option<&SessionTotals>,
) -> (Option<Usage>, Option<f64>, SessionTotals) {
    let before = previous.copied().unwrap_or_default();
    let (usage, usage_total) = match report.usage {
        None => (None, None),
        Some(total) if report.usage_is_total => {
            let call = before.usage.and_then(|b| total.since(b)).unwrap_or(total);
            (Some(call), Some(total))
        }
        Some(call) => (Some(call), Some(before.usage.unwrap_or_default() + call)),
    };
    let cost = match (report.cost_usd, report.total_cost_usd) {
        (Some(call), _) => Some(call),
        (None, Some(total)) => Some(match before.cost_usd {
            Some(b) if b <= total => total - b,
            _ => total,
        }),
        (None, None) => None,
    };
    let cost_total = match (report.total_cost_usd, cost) {
        (Some(total), _) => Some(total),
        (None, Some(call)) => Some(before.cost_usd.unwrap_or(0.0) + call),
        (None, None) => None,
    };
    (
        usage,
        cost,
        SessionTotals {
            usage: usage_total,
            cost_usd: cost_total,
        },
    )
}

/// Tokens and dollars summed over calls. A call whose cost is unknown is counted apart,
/// so a sum is never shown as exact when part of it is missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spend {
    /// Calls added.
    pub calls: u32,
    /// Input tokens, cached ones included, of the calls that reported usage.
    pub input_tokens: u64,
    /// The cached part of `input_tokens`.
    pub cached_input_tokens: u64,
    /// Output tokens of the calls that reported usage.
    pub output_tokens: u64,
    /// Dollars of the calls whose cost is known; `None` when no call's is.
    pub cost_usd: Option<f64>,
    /// Calls whose cost is unknown (codex never reports one; a killed call cannot).
    pub cost_unknown_calls: u32,
}

impl Spend {
    /// Adds one call.
    pub fn add(&mut self, usage: Option<Usage>, cost_usd: Option<f64>) {
        self.calls += 1;
        if let Some(u) = usage {
            self.input_tokens += u.input_tokens;
            self.cached_input_tokens += u.cached_input_tokens;
            self.output_tokens += u.output_tokens;
        }
        match cost_usd {
            Some(c) => self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + c),
            None => self.cost_unknown_calls += 1,
        }
    }

    /// Adds every call of another sum.
    pub fn merge(&mut self, other: &Spend) {
        self.calls += other.calls;
        self.input_tokens += other.input_tokens;
        self.cached_input_tokens += other.cached_input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_unknown_calls += other.cost_unknown_calls;
        if let Some(c) = other.cost_usd {
            self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + c);
        }
    }

    /// Returns the cost for people: `$0.0123`, `unknown`, or `$0.0123 + unknown (2 of
    /// 5 calls)` when only part of it is known.
    pub fn cost_text(&self) -> String {
        match (self.cost_usd, self.cost_unknown_calls) {
            (_, 0) if self.calls == 0 => "none".to_owned(),
            (Some(c), 0) => format!("${c:.4}"),
            (None, _) => "unknown".to_owned(),
            (Some(c), n) => format!("${c:.4} + unknown ({n} of {} calls)", self.calls),
        }
    }

    /// Returns the tokens for people: `1010 in (400 cached), 8 out`.
    pub fn tokens_text(&self) -> String {
        format!(
            "{} in ({} cached), {} out",
            self.input_tokens, self.cached_input_tokens, self.output_tokens
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, cached: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cached_input_tokens: cached,
        }
    }

    #[test]
    fn a_running_total_is_split_into_calls() {
        // codex: `turn.completed.usage` of a resumed thread counts the whole thread.
        let report = Report {
            usage: Some(usage(1120, 440, 12)),
            usage_is_total: true,
            ..Report::default()
        };
        let before = SessionTotals {
            usage: Some(usage(110, 40, 4)),
            cost_usd: None,
        };
        let (call, cost, after) = per_call(&report, Some(&before));
        assert_eq!(call, Some(usage(1010, 400, 8)));
        assert_eq!(cost, None);
        assert_eq!(after.usage, Some(usage(1120, 440, 12)));
        assert_eq!(after.cost_usd, None);
    }

    #[test]
    fn a_running_cost_is_split_into_calls() {
        // claude: `usage` is the call's, `total_cost_usd` the session's.
        let report = Report {
            usage: Some(usage(1010, 400, 8)),
            total_cost_usd: Some(0.003048),
            ..Report::default()
        };
        let before = SessionTotals {
            usage: Some(usage(110, 40, 4)),
            cost_usd: Some(0.000368),
        };
        let (call, cost, after) = per_call(&report, Some(&before));
        assert_eq!(call, Some(usage(1010, 400, 8)));
        assert!((cost.unwrap() - 0.00268).abs() < 1e-12);
        assert_eq!(after.usage, Some(usage(1120, 440, 12)));
        assert_eq!(after.cost_usd, Some(0.003048));
    }

    #[test]
    fn a_cost_the_cli_gives_for_the_call_wins_over_subtraction() {
        let report = Report {
            cost_usd: Some(0.5),
            total_cost_usd: Some(2.0),
            ..Report::default()
        };
        let (_, cost, after) = per_call(&report, None);
        assert_eq!((cost, after.cost_usd), (Some(0.5), Some(2.0)));
    }

    #[test]
    fn a_total_below_the_previous_one_is_a_new_session() {
        let report = Report {
            usage: Some(usage(50, 0, 5)),
            usage_is_total: true,
            total_cost_usd: Some(0.1),
            ..Report::default()
        };
        let before = SessionTotals {
            usage: Some(usage(500, 0, 50)),
            cost_usd: Some(1.0),
        };
        let (call, cost, _) = per_call(&report, Some(&before));
        assert_eq!((call, cost), (Some(usage(50, 0, 5)), Some(0.1)));
    }

    #[test]
    fn nothing_reported_is_unknown_not_zero() {
        let (call, cost, after) = per_call(&Report::default(), None);
        assert_eq!((call, cost), (None, None));
        assert_eq!(after, SessionTotals::default());
    }

    #[test]
    fn an_unknown_cost_stays_unknown_in_a_sum() {
        let mut s = Spend::default();
        assert_eq!(s.cost_text(), "none");
        s.add(Some(usage(100, 10, 5)), None);
        assert_eq!(s.cost_text(), "unknown");
        assert_eq!(s.cost_usd, None);
        s.add(Some(usage(200, 20, 10)), Some(0.25));
        assert_eq!(s.cost_text(), "$0.2500 + unknown (1 of 2 calls)");
        assert_eq!(s.tokens_text(), "300 in (30 cached), 15 out");
        let mut known = Spend::default();
        known.add(None, Some(0.0));
        assert_eq!(known.cost_text(), "$0.0000");
        s.merge(&known);
        assert_eq!((s.calls, s.cost_unknown_calls), (3, 1));
    }
}
