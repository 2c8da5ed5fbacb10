//! Cycle detection shared by the compile-time check and the synthesised template.

use std::collections::BTreeMap;

/// Returns one cycle (first node repeated at the end) if the graph has any.
pub fn find_cycle<'a, I, F>(nodes: I, edges: F) -> Option<Vec<String>>
where
    I: IntoIterator<Item = &'a str>,
    F: Fn(&str) -> Vec<&'a str>,
{
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Visiting,
        Done,
    }
    let mut state: BTreeMap<&'a str, State> = BTreeMap::new();
    for start in nodes {
        if state.contains_key(start) {
            continue;
        }
        // Iterative DFS: the stack holds (node, its successors, next index).
        let mut stack: Vec<(&'a str, Vec<&'a str>, usize)> = vec![(start, edges(start), 0)];
        state.insert(start, State::Visiting);
        while let Some((node, succ, i)) = stack.last_mut() {
            if *i < succ.len() {
                let next = succ[*i];
                *i += 1;
                match state.get(next) {
                    Some(State::Visiting) => {
                        let pos = stack.iter().position(|(n, _, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[pos..].iter().map(|(n, _, _)| n.to_string()).collect();
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    Some(State::Done) => {}
                    None => {
                        state.insert(next, State::Visiting);
                        let e = edges(next);
                        stack.push((next, e, 0));
                    }
                }
            } else {
                let node = *node;
                state.insert(node, State::Done);
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cycle_and_accepts_a_dag() {
        let g: BTreeMap<&str, Vec<&str>> =
            [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])].into();
        let cycle =
            find_cycle(g.keys().copied(), |n| g.get(n).cloned().unwrap_or_default()).unwrap();
        assert_eq!(cycle, vec!["a", "b", "c", "a"]);
        let dag: BTreeMap<&str, Vec<&str>> =
            [("a", vec!["b", "c"]), ("b", vec!["c"]), ("c", vec![])].into();
        assert_eq!(
            find_cycle(dag.keys().copied(), |n| dag
                .get(n)
                .cloned()
                .unwrap_or_default()),
            None
        );
    }
}
