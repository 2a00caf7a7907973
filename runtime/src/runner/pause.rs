//! The asynchronous runner's pause before a retry, on any executor: a thread sleeps, then
//! wakes the task. Only a retry after a deadlock or a concurrent writer pauses, so a thread per
//! pause costs nothing that matters, and a delete needs neither tokio nor a runtime's timer.

use std::future::poll_fn;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

/// What the sleeping thread and the waiting task share.
#[derive(Default)]
struct Shared {
    elapsed: bool,
    waker: Option<Waker>,
}

/// Completes once `duration` has passed.
pub(crate) async fn pause(duration: Duration) {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let mut sleeping = false;
    poll_fn(move |context| {
        let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
        if state.elapsed {
            return Poll::Ready(());
        }
        state.waker = Some(context.waker().clone());
        if !sleeping {
            sleeping = true;
            let shared = Arc::clone(&shared);
            let thread = std::thread::Builder::new()
                .name("deletable-pause".to_owned())
                .spawn(move || {
                    std::thread::sleep(duration);
                    let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    state.elapsed = true;
                    if let Some(waker) = state.waker.take() {
                        waker.wake();
                    }
                });
            // Without a thread to sleep on, the retry comes at once.
            if thread.is_err() {
                return Poll::Ready(());
            }
        }
        Poll::Pending
    })
    .await
}
