//! Where a deploy's report goes: the terminal, or a buffer a test reads back.
//! Lines from stacks deployed at the same time are written whole, never mixed.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Ui {
    sink: Sink,
    /// Whether a person can answer questions (stdin and stdout are terminals).
    interactive: bool,
    /// Put before every line: the environment of the stacks it is about.
    prefix: Option<Arc<str>>,
}

#[derive(Clone)]
enum Sink {
    Stdout,
    Buffer(Arc<Mutex<Vec<u8>>>),
}

impl Ui {
    pub fn terminal() -> Ui {
        Ui {
            sink: Sink::Stdout,
            interactive: std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
            prefix: None,
        }
    }

    /// A report kept in memory, with nobody to answer questions.
    pub fn buffer() -> Ui {
        Ui {
            sink: Sink::Buffer(Arc::default()),
            interactive: false,
            prefix: None,
        }
    }

    /// Everything written so far (empty for the terminal).
    pub fn text(&self) -> String {
        match &self.sink {
            Sink::Stdout => String::new(),
            Sink::Buffer(b) => b
                .lock()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
        }
    }

    /// The same report, each line starting with `[prefix] `: the lines of
    /// stacks of several environments deployed at once stay told apart.
    pub fn prefixed(&self, prefix: &str) -> Ui {
        Ui {
            prefix: Some(Arc::from(format!("[{prefix}] "))),
            ..self.clone()
        }
    }

    pub fn line(&self, text: impl AsRef<str>) {
        let mut s = match &self.prefix {
            Some(p) => text
                .as_ref()
                .lines()
                .map(|l| format!("{p}{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            None => text.as_ref().to_string(),
        };
        s.push('\n');
        match &self.sink {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(s.as_bytes());
                let _ = out.flush();
            }
            Sink::Buffer(b) => {
                if let Ok(mut b) = b.lock() {
                    b.extend_from_slice(s.as_bytes());
                }
            }
        }
    }

    pub fn interactive(&self) -> bool {
        self.interactive
    }

    /// Asks a yes/no question; `None` when nobody can answer.
    pub fn confirm(&self, question: &str) -> Option<bool> {
        if !self.interactive {
            return None;
        }
        print!("{question} (y/n) ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() {
            return None;
        }
        Some(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
    }
}
