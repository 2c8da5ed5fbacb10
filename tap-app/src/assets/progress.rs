//! Shows a cargo build's progress while it runs: the Lambda package's release
//! build takes minutes on a fresh machine, and it was minutes of silence.

use std::io::Read;
use std::time::{Duration, Instant};

/// At most one line this often, and one whenever another tenth is done.
const EVERY: Duration = Duration::from_secs(5);

/// Reads cargo's stderr to the end, printing `<prefix>: compiled 57/245
/// crates (tokio)` as it goes, and returns everything it read with the
/// progress bar's redraws left out (what a failed build reports).
pub fn follow(mut stderr: impl Read, prefix: &str) -> String {
    let mut state = Progress::default();
    let mut log = String::new();
    let mut pending = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match stderr.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // The pipe broken: what was read is what there is.
            Err(_) => break,
        };
        pending.extend_from_slice(&buf[..n]);
        // cargo redraws its bar with `\r`: each piece between `\r`/`\n` is a line.
        while let Some(end) = pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            if let Some(shown) = state.line(&line, Instant::now()) {
                eprintln!("{prefix}: {shown}");
            } else if !line.trim().is_empty() && bar(&line).is_none() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    }
    log.push_str(&String::from_utf8_lossy(&pending));
    log
}

#[derive(Default)]
struct Progress {
    last_shown: Option<Instant>,
    tenth: usize,
    crate_name: String,
}

impl Progress {
    /// What to show for this line of cargo's output, if anything now.
    fn line(&mut self, line: &str, now: Instant) -> Option<String> {
        if let Some(name) = line.trim_start().strip_prefix("Compiling ") {
            self.crate_name = name.split(' ').next().unwrap_or(name).to_string();
            return None;
        }
        let (done, total) = bar(line)?;
        let tenth = done * 10 / total.max(1);
        let due = self
            .last_shown
            .is_none_or(|t| now.duration_since(t) >= EVERY);
        if !due && tenth <= self.tenth {
            return None;
        }
        self.last_shown = Some(now);
        self.tenth = tenth;
        let last = if self.crate_name.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.crate_name)
        };
        Some(format!("compiled {done}/{total} crates{last}"))
    }
}

/// `    Building [=====>     ] 57/245: tokio, hyper` as (57, 245).
fn bar(line: &str) -> Option<(usize, usize)> {
    let rest = line.trim_start().strip_prefix("Building [")?;
    let (_, counts) = rest.split_once("] ")?;
    let counts = counts.split(':').next()?;
    let (done, total) = counts.trim().split_once('/')?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_progress_lines_are_read_and_thinned_out() {
        assert_eq!(
            bar("    Building [=====>     ] 57/245: tokio, hyper"),
            Some((57, 245))
        );
        assert_eq!(bar("    Building [         ] 0/3"), Some((0, 3)));
        assert_eq!(bar("   Compiling tokio v1.40.0"), None);

        let mut p = Progress::default();
        let t0 = Instant::now();
        assert_eq!(p.line("   Compiling tokio v1.40.0", t0), None);
        assert_eq!(
            p.line("    Building [>   ] 1/100: tokio", t0).as_deref(),
            Some("compiled 1/100 crates (tokio)")
        );
        // Soon after, within the same tenth: nothing.
        assert_eq!(p.line("    Building [>   ] 5/100: tokio", t0), None);
        // A new tenth shows at once; time passing shows too.
        assert!(p.line("    Building [=>  ] 10/100: tokio", t0).is_some());
        assert!(p.line("    Building [=>  ] 11/100", t0 + EVERY).is_some());
    }

    #[test]
    fn a_failed_build_keeps_its_messages_without_the_bar() {
        let out = "   Compiling a v1\r    Building [> ] 1/2: a\rerror[E0425]: cannot find value `x`\n  --> src/main.rs:1:1\n";
        let log = follow(out.as_bytes(), "test");
        assert!(log.contains("error[E0425]"), "{log}");
        assert!(log.contains("--> src/main.rs:1:1"), "{log}");
        assert!(!log.contains("Building ["), "{log}");
    }
}
