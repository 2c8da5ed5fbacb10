//! EventBridge schedule expressions, as `PutRule` parses them: `rate(5 minutes)`
//! and the six-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)`.
//! A malformed one fails the deploy with "Parameter ScheduleExpression is not
//! valid"; here it is a compile error that says which part is wrong.

/// Why an expression is not one EventBridge accepts, or `None`.
pub fn problem(expr: &str) -> Option<String> {
    let expr = expr.trim();
    if let Some(body) = expr.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        return rate(body);
    }
    if let Some(body) = expr.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
        return cron(body);
    }
    if expr.starts_with("at(") {
        return Some(
            "`at(…)` is for EventBridge Scheduler's one-time schedules, not a rule".into(),
        );
    }
    Some(format!(
        "`{expr}` is neither `rate(N unit)` nor `cron(minutes hours day-of-month month day-of-week year)`"
    ))
}

fn rate(body: &str) -> Option<String> {
    let mut parts = body.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Some(format!(
            "`rate({body})` is a number and a unit: `rate(5 minutes)`"
        ));
    };
    let Ok(n) = n.parse::<u64>() else {
        return Some(format!(
            "`{n}` is not a whole number of minutes, hours or days"
        ));
    };
    if n == 0 {
        return Some("a rate is at least 1".into());
    }
    let (singular, plural) = match unit.trim_end_matches('s') {
        "minute" => ("minute", "minutes"),
        "hour" => ("hour", "hours"),
        "day" => ("day", "days"),
        _ => {
            return Some(format!(
                "`{unit}` is not a unit of a rate: `minute(s)`, `hour(s)` or `day(s)`"
            ))
        }
    };
    // EventBridge wants `1 minute` and `5 minutes`, nothing else.
    match (n == 1, unit == singular, unit == plural) {
        (true, false, _) => Some(format!("write `rate(1 {singular})`: one is singular")),
        (false, _, false) => Some(format!(
            "write `rate({n} {plural})`: more than one is plural"
        )),
        _ => None,
    }
}

/// One cron field: its name, range, the names it takes, and the special
/// characters allowed besides `, - * /`.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    special: &'static str,
}

const FIELDS: [Field; 6] = [
    Field {
        name: "minutes",
        min: 0,
        max: 59,
        names: &[],
        special: "",
    },
    Field {
        name: "hours",
        min: 0,
        max: 23,
        names: &[],
        special: "",
    },
    Field {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
        special: "?LW",
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
        special: "",
    },
    Field {
        name: "day-of-week",
        min: 1,
        max: 7,
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        special: "?L#",
    },
    Field {
        name: "year",
        min: 1970,
        max: 2199,
        names: &[],
        special: "",
    },
];

fn cron(body: &str) -> Option<String> {
    let parts: Vec<&str> = body.split_whitespace().collect();
    if parts.len() != 6 {
        return Some(format!(
            "a cron expression has six fields (minutes hours day-of-month month day-of-week year), and `cron({body})` has {}",
            parts.len()
        ));
    }
    for (part, field) in parts.iter().zip(FIELDS.iter()) {
        if let Some(p) = cron_field(part, field) {
            return Some(p);
        }
    }
    // One of the two day fields is `?`: EventBridge cannot combine them.
    match (parts[2] == "?", parts[4] == "?") {
        (true, true) => Some("only one of day-of-month and day-of-week is `?`".into()),
        (false, false) => Some(format!(
            "one of day-of-month (`{}`) and day-of-week (`{}`) must be `?`: EventBridge does not combine them",
            parts[2], parts[4]
        )),
        _ => None,
    }
}

fn cron_field(part: &str, f: &Field) -> Option<String> {
    let bad = |why: &str| Some(format!("cron {} `{part}`: {why}", f.name));
    if part == "?" {
        return (!f.special.contains('?')).then(|| {
            format!(
                "cron {} cannot be `?` (only day-of-month and day-of-week)",
                f.name
            )
        });
    }
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(s) = step {
            if !s.parse::<u32>().is_ok_and(|s| s > 0) {
                return bad("a step after `/` is a positive whole number");
            }
        }
        if range == "*" {
            continue;
        }
        // `L`, `W`, `#`: the last day (of the month, or `6L` the last
        // Friday), the weekday nearest a day, the nth weekday of the month.
        if f.special.contains('W') {
            if range == "L" || range == "LW" {
                continue;
            }
            if let Some(day) = range.strip_suffix('W') {
                if value(day, f).is_some() {
                    continue;
                }
                return bad("`W` follows a day of the month: `15W`");
            }
        }
        if f.special.contains('#') {
            if range == "L" {
                continue;
            }
            if let Some(day) = range.strip_suffix('L') {
                if value(day, f).is_some() {
                    continue;
                }
                return bad("`L` follows a weekday: `6L` is the month's last Friday");
            }
            if let Some((day, nth)) = range.split_once('#') {
                if value(day, f).is_some() && nth.parse::<u32>().is_ok_and(|n| (1..=5).contains(&n))
                {
                    continue;
                }
                return bad("`#` is a weekday and its week in the month: `MON#2`");
            }
        }
        let ends: Vec<&str> = match range.split_once('-') {
            Some((a, b)) => vec![a, b],
            None => vec![range],
        };
        for end in ends {
            if value(end, f).is_none() {
                let names = if f.names.is_empty() {
                    String::new()
                } else {
                    format!(" or {}-{}", f.names[0], f.names[f.names.len() - 1])
                };
                return bad(&format!("`{end}` is not {}-{}{names}", f.min, f.max));
            }
        }
    }
    None
}

fn value(text: &str, f: &Field) -> Option<u32> {
    if let Some(i) = f.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Some(f.min + i as u32);
    }
    text.parse::<u32>()
        .ok()
        .filter(|v| (f.min..=f.max).contains(v))
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn expressions_eventbridge_accepts() {
        for ok in [
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(12 hours)",
            "rate(1 day)",
            "cron(0 3 * * ? *)",
            "cron(15 10 ? * 6L 2022-2023)",
            "cron(0/15 * * * ? *)",
            "cron(0 8 1 * ? *)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0 9 ? * MON#1 *)",
            "cron(0 0 L * ? *)",
            "cron(0 0 15W * ? *)",
            "cron(5,35 14 * JAN,JUL ? *)",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn expressions_it_refuses() {
        for bad in [
            "rate(5 minute)",
            "rate(1 minutes)",
            "rate(0 days)",
            "rate(5 weeks)",
            "rate(five minutes)",
            "cron(0 3 * * *)",
            "cron(0 3 * * * *)",
            "cron(0 3 ? * ? *)",
            "cron(60 3 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 3 32 * ? *)",
            "cron(0 3 ? * MON#6 *)",
            "cron(0 3 ? FOO * *)",
            "cron(0/0 3 * * ? *)",
            "every day",
            "at(2026-01-01T00:00:00)",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
