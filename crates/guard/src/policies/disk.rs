//! Raw writes to block devices.

use super::{quote, Cx};
use crate::command::{resolve, skip_opts, Cmd};
use crate::git::GitProbe;

/// `/dev/sda`, `/dev/nvme0n1p2`, `/dev/mmcblk0`, `/dev/disk2`, `/dev/mapper/x`, ...
pub fn is_block_device(p: &str) -> bool {
    let Some(d) = p.strip_prefix("/dev/") else {
        return false;
    };
    let after = |prefix: &str| d.strip_prefix(prefix).and_then(|r| r.bytes().next());
    for pre in ["sd", "hd", "vd", "xvd"] {
        if after(pre).is_some_and(|b| b.is_ascii_lowercase()) {
            return true;
        }
    }
    for pre in [
        "nvme", "mmcblk", "loop", "md", "dm-", "nbd", "zd", "sr", "rdisk", "mtdblock",
    ] {
        if after(pre).is_some_and(|b| b.is_ascii_digit()) {
            return true;
        }
    }
    d.starts_with("disk") || d.starts_with("mapper/") || d.starts_with("md/") || d == "root"
}

fn device(t: &str, cwd: Option<&str>) -> Option<String> {
    let p = resolve(cwd, t)?;
    is_block_device(&p).then_some(p)
}

pub fn check(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let cwd = cmd.cwd.as_deref();
    let mut dev: Option<String> = None;
    for r in &cmd.redirects {
        if r.writes() && r.target.known {
            dev = dev.or_else(|| device(&r.target.text, cwd));
        }
    }
    let known_ops = || {
        cmd.args
            .iter()
            .filter(|a| a.known && !a.text.starts_with('-'))
    };
    let p = cmd.program.as_str();
    if dev.is_none() {
        dev = match p {
            "dd" => cmd
                .args
                .iter()
                .filter_map(|a| a.text.strip_prefix("of="))
                .find_map(|t| device(t, cwd)),
            _ if p == "mkfs"
                || p.starts_with("mkfs.")
                || p.starts_with("mke2fs")
                || p == "mkswap"
                || p == "blkdiscard"
                || p == "shred"
                || p == "cfdisk"
                || p == "gdisk"
                || p == "sgdisk" =>
            {
                known_ops().find_map(|a| device(&a.text, cwd))
            }
            "wipefs"
                if cmd.args.iter().any(|a| {
                    a.text == "--all"
                        || a.text.starts_with("--offset")
                        || (a.text.starts_with('-')
                            && !a.text.starts_with("--")
                            && (a.text.contains('a') || a.text.contains('o')))
                }) =>
            {
                known_ops().find_map(|a| device(&a.text, cwd))
            }
            "fdisk" | "sfdisk" | "parted"
                if !cmd.args.iter().any(|a| {
                    matches!(
                        a.text.as_str(),
                        "-l" | "--list"
                            | "-d"
                            | "--dump"
                            | "-s"
                            | "--show-size"
                            | "print"
                            | "--verify"
                            | "-V"
                    )
                }) =>
            {
                known_ops().find_map(|a| device(&a.text, cwd))
            }
            "tee" => known_ops().find_map(|a| device(&a.text, cwd)),
            "cp" => {
                let n = skip_opts(&cmd.args, "tS", &["target-directory", "suffix"]);
                cmd.args[n..]
                    .last()
                    .filter(|a| a.known)
                    .and_then(|a| device(&a.text, cwd))
            }
            _ => None,
        };
    }
    Ok(dev.map(|d| {
        format!(
            "{} writes directly to the block device {d}, destroying its partition table or filesystem. Write to an image file instead (e.g. `of=./disk.img`), or ask the user to run it.",
            if cmd.display.is_empty() { "This redirection".to_string() } else { quote(&cmd.display) }
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::is_block_device;

    #[test]
    fn devices() {
        for d in [
            "/dev/sda",
            "/dev/sdb1",
            "/dev/nvme0n1",
            "/dev/nvme0n1p2",
            "/dev/mmcblk0",
            "/dev/hda",
            "/dev/vda",
            "/dev/xvda1",
            "/dev/disk2",
            "/dev/rdisk3",
            "/dev/loop0",
            "/dev/md0",
            "/dev/dm-1",
            "/dev/mapper/vg-root",
            "/dev/disk/by-id/ata-x",
        ] {
            assert!(is_block_device(d), "{d}");
        }
        for d in [
            "/dev/null",
            "/dev/zero",
            "/dev/stdout",
            "/dev/stderr",
            "/dev/tty",
            "/dev/fd/3",
            "/dev/shm/x",
            "/dev/snd",
            "/dev/loop-control",
            "/dev/urandom",
            "./dev/sda",
            "/tmp/dev/sda",
            "/dev/mqueue",
        ] {
            assert!(!is_block_device(d), "{d}");
        }
    }
}
