//! The suggested merge order: the fewest workstreams that must be reworked.
//!
//! Whichever of two conflicting workstreams lands second must resolve the conflict, so
//! the number of conflicts to resolve is the same in every order; what the order
//! changes is *how many workstreams* need rework. A workstream lands untouched exactly
//! when nothing it conflicts with landed before it, so the best order starts with a
//! maximum independent set of the conflict graph, leaving out the workstreams that
//! conflict with their base already (they need rework whatever happens). The set is
//! exact for up to 24 candidates (branch and bound) and greedy beyond (minimum degree
//! first). The rest follow one at a time, each time the one with the fewest conflicting
//! files against those already placed. Ties go to the name, so the order is stable.

/// Most candidates for which the independent set is computed exactly.
const EXACT_LIMIT: usize = 24;

/// Returns indices `0..n` in the suggested merge order.
///
/// `blocked[i]`: workstream `i` conflicts with its base now. `edges`: (i, j, weight)
/// for each conflicting pair, weight being the number of files in conflict. Indices are
/// expected in name order, which breaks ties.
pub fn suggest(n: usize, blocked: &[bool], edges: &[(usize, usize, usize)]) -> Vec<usize> {
    let mut weight = vec![vec![0usize; n]; n];
    for &(a, b, w) in edges {
        if a != b && a < n && b < n {
            weight[a][b] += w.max(1);
            weight[b][a] += w.max(1);
        }
    }
    let candidates: Vec<usize> = (0..n).filter(|&i| !blocked[i]).collect();
    let adjacent = |a: usize, b: usize| weight[a][b] > 0;
    let mut first = if candidates.len() <= EXACT_LIMIT {
        exact_independent(&candidates, &adjacent)
    } else {
        greedy_independent(&candidates, &adjacent)
    };
    first.sort_unstable();
    let mut placed = first;
    let mut rest: Vec<usize> = (0..n).filter(|i| !placed.contains(i)).collect();
    while !rest.is_empty() {
        let key = |&i: &usize| {
            let against_placed: usize = placed.iter().map(|&p| weight[i][p]).sum();
            let total: usize = weight[i].iter().sum();
            (against_placed, blocked[i], total, i)
        };
        let (pos, _) = rest
            .iter()
            .enumerate()
            .min_by_key(|(_, i)| key(i))
            .expect("rest is not empty");
        placed.push(rest.remove(pos));
    }
    placed
}

/// Returns a maximum independent set of `nodes` (exact search).
fn exact_independent(nodes: &[usize], adjacent: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let k = nodes.len();
    let neighbours: Vec<u32> = (0..k)
        .map(|i| {
            (0..k)
                .filter(|&j| j != i && adjacent(nodes[i], nodes[j]))
                .fold(0u32, |m, j| m | 1 << j)
        })
        .collect();
    let mut best = 0u32;
    search(&neighbours, (1u32 << k) - 1, 0, &mut best);
    (0..k)
        .filter(|&i| best & (1 << i) != 0)
        .map(|i| nodes[i])
        .collect()
}

/// Branch and bound over the `open` vertices, `taken` so far, keeping the largest set.
fn search(neighbours: &[u32], open: u32, taken: u32, best: &mut u32) {
    if open == 0 {
        if taken.count_ones() > best.count_ones() {
            *best = taken;
        }
        return;
    }
    if taken.count_ones() + open.count_ones() <= best.count_ones() {
        return;
    }
    let degree = |i: usize| (neighbours[i] & open).count_ones();
    let bits = (0..neighbours.len()).filter(|&i| open & (1 << i) != 0);
    // A vertex of degree 0 or 1 belongs to some maximum set: take it without branching.
    if let Some(v) = bits.clone().find(|&i| degree(i) <= 1) {
        search(
            neighbours,
            open & !(1 << v) & !neighbours[v],
            taken | 1 << v,
            best,
        );
        return;
    }
    let v = bits
        .max_by_key(|&i| (degree(i), std::cmp::Reverse(i)))
        .unwrap_or(0);
    search(
        neighbours,
        open & !(1 << v) & !neighbours[v],
        taken | 1 << v,
        best,
    );
    search(neighbours, open & !(1 << v), taken, best);
}

/// Returns a maximal independent set, taking the vertex of least degree each time.
fn greedy_independent(nodes: &[usize], adjacent: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut open: Vec<usize> = nodes.to_vec();
    let mut out = Vec::new();
    while !open.is_empty() {
        let degree = |v: usize| open.iter().filter(|&&u| u != v && adjacent(u, v)).count();
        let v = *open
            .iter()
            .min_by_key(|&&v| (degree(v), v))
            .expect("open is not empty");
        out.push(v);
        open.retain(|&u| u != v && !adjacent(u, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_lands_last_so_only_it_needs_rework() {
        // 0 conflicts with 1, 2 and 3; those three are independent.
        let order = suggest(4, &[false; 4], &[(0, 1, 1), (0, 2, 1), (0, 3, 1)]);
        assert_eq!(order, [1, 2, 3, 0]);
    }

    #[test]
    fn a_chain_keeps_its_ends_first() {
        let order = suggest(3, &[false; 3], &[(0, 1, 2), (1, 2, 1)]);
        assert_eq!(order, [0, 2, 1]);
    }

    #[test]
    fn workstreams_that_conflict_with_base_go_last() {
        let order = suggest(3, &[true, false, false], &[]);
        assert_eq!(order, [1, 2, 0]);
    }

    #[test]
    fn no_conflicts_keeps_name_order() {
        assert_eq!(suggest(3, &[false; 3], &[]), [0, 1, 2]);
    }

    #[test]
    fn exact_and_greedy_agree_on_a_cycle_of_five() {
        let edges: Vec<_> = (0..5).map(|i| (i, (i + 1) % 5, 1)).collect();
        let adjacent = |a: usize, b: usize| {
            edges
                .iter()
                .any(|&(x, y, _)| (x, y) == (a, b) || (y, x) == (a, b))
        };
        let nodes: Vec<usize> = (0..5).collect();
        assert_eq!(exact_independent(&nodes, &adjacent).len(), 2);
        assert_eq!(greedy_independent(&nodes, &adjacent).len(), 2);
        assert_eq!(suggest(5, &[false; 5], &edges).len(), 5);
    }

    #[test]
    fn exact_finds_the_largest_set_of_a_spider() {
        // Three legs of two from the centre 0: the largest set is {0, 4, 5, 6}.
        let edges = [(0, 1), (1, 4), (0, 2), (2, 5), (0, 3), (3, 6)];
        let adjacent = |a: usize, b: usize| {
            edges
                .iter()
                .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b))
        };
        let nodes: Vec<usize> = (0..7).collect();
        assert_eq!(exact_independent(&nodes, &adjacent).len(), 4);
    }
}
