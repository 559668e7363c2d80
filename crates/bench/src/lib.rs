//! Whole-process benchmarks of `hookwatch hook`: the baseline program
//! (`stdin-min`) and the interleaved timer (`hookbench`). Run by scripts/bench.
