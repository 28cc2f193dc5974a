//! Integration tests: the real binary in temporary git repositories, with a
//! fixed clock, a fixed author and none of the user's own git config.

#![allow(clippy::unwrap_used)]

mod harness;

mod actions;
mod bad_input;
mod cache;
mod colour;
mod completions;
mod convergence;
mod core;
mod crash;
mod diff;
mod generate;
mod git_compat;
mod git_index;
mod guided;
mod lint;
mod merge;
mod notify;
mod output;
mod process;
mod progress;
mod prompt;
mod readme;
mod render;
mod roundtrip;
mod sync;
mod transaction;
