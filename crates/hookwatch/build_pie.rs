// Included by the build scripts of `hookwatch` and of `hookwatch-bench`
// (whose `stdin-min` is the floor the hook is measured against, and must be
// built the same way).

/// Release builds for Linux with glibc link their executables without PIE,
/// as the static build that install.sh makes already is (its
/// `-C relocation-model=static`). A PIE hookwatch pays at every start for
/// the dynamic loader's 7,500 relative relocations and for copying the ~30
/// pages of read-only data they write to (vtables, panic locations): about
/// 0.1 ms, a sixth of a whole hook (BENCHMARKS.md, "The dynamic build").
/// The price is the same as the static build's: no address randomisation
/// for hookwatch's own code (its libraries keep theirs). `HOOKWATCH_PIE=on`
/// keeps PIE.
fn link_without_pie() {
    println!("cargo:rerun-if-env-changed=HOOKWATCH_PIE");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let gnu_linux = env("CARGO_CFG_TARGET_OS") == "linux" && env("CARGO_CFG_TARGET_ENV") == "gnu";
    let crt_static = env("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    if gnu_linux && !crt_static && env("PROFILE") == "release" && env("HOOKWATCH_PIE") != "on" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
