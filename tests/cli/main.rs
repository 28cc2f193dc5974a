//! Integration tests: the real binary in temporary git repositories, with a
//! fixed clock, a fixed author and none of the user's own git config.

mod harness;

mod bad_input;
mod core;
mod merge;
mod roundtrip;
