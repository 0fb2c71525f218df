//! Integration tests for the media library: ingest and probing, per-platform renditions of
//! still images, and videos that pass through or are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod ingest;
mod renditions;
mod video;
