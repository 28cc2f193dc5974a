//! Independent work spread over the cores, results in the order given.

/// Maps `each` over `items` on as many threads as there are cores, each
/// thread taking at least `per_thread` items (fewer cost more to start a
/// thread for than they save), and returns the results in `items`' order. A
/// short list is done on the calling thread.
pub fn map_in_order<I: Sync, T: Send>(
    items: &[I],
    per_thread: usize,
    each: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(per_thread.max(1));
    if items.len() <= chunk {
        return items.iter().map(&each).collect();
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&each).collect::<Vec<T>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<usize> = (0..10_000).collect();
        assert_eq!(
            map_in_order(&items, 10, |n| n * 2),
            (0..10_000).map(|n| n * 2).collect::<Vec<_>>()
        );
        assert_eq!(map_in_order(&items[..3], 10, |n| n + 1), vec![1, 2, 3]);
        assert!(map_in_order(&[] as &[usize], 10, |n| *n).is_empty());
    }
}
