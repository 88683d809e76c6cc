//! The seccomp program every jail gets: `ioctl(TIOCSTI)` and `ioctl(TIOCLINUX)` fail with
//! EPERM, everything else is allowed.
//!
//! Why: jail.nix's `no-new-session` (TUI agents need it for signals and resizes) leaves the
//! user's terminal as the jail's controlling tty; with TIOCSTI a jailed process can push
//! keystrokes into its input, which the user's shell runs on the host after the agent exits.
//! TIOCLINUX can do the same on a virtual console.
//!
//! The kernel truncates the request to 32 bits, so only the low 32 bits of the argument are
//! compared (a request with junk in the upper half cannot slip past). The compatible ABIs
//! get the same rule, so `int 0x80` (i386) and x32 are covered on x86_64, and 32-bit ARM on
//! aarch64. A system call from any other architecture kills the process (libseccomp's
//! default for a filter that does not list the architecture).
//!
//! Classic BPF over `struct seccomp_data { u32 nr; u32 arch; u64 ip; u64 args[6]; }`,
//! little-endian, assembled here (no libseccomp, no C compiler at the user's build);
//! [`run`] interprets a program for the tests.

pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
pub const AUDIT_ARCH_ARM: u32 = 0x4000_0028;
/// x32 system calls run with AUDIT_ARCH_X86_64 and this bit in the number.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

pub const TIOCSTI: u32 = 0x5412;
pub const TIOCLINUX: u32 = 0x541c;

pub const RET_ALLOW: u32 = 0x7fff_0000;
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const RET_ERRNO: u32 = 0x0005_0000;
pub const EPERM: u32 = 1;

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const RET_K: u16 = 0x06;

const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
/// The low 32 bits of `args[1]` (little-endian).
const OFF_ARG1_LO: u32 = 16 + 8;

/// One architecture: its audit number and its `ioctl` system call numbers.
#[derive(Debug, Clone, Copy)]
pub struct Arch {
    pub audit: u32,
    pub ioctl: &'static [u32],
}

/// The architectures of the build target (x86_64: native, x32 and i386; aarch64: native and
/// 32-bit ARM). `None` on any other target: the launcher refuses to start a jail asking for
/// the filter there.
pub fn native_arches() -> Option<&'static [Arch]> {
    const X86: &[Arch] = &[
        Arch {
            audit: AUDIT_ARCH_X86_64,
            // 16: x86_64; 514 and 16 with the x32 bit: x32 (514 is x32's compat ioctl; 16 is
            // not in x32's table, blocked anyway in case a kernel maps it).
            ioctl: &[16, X32_SYSCALL_BIT | 514, X32_SYSCALL_BIT | 16],
        },
        Arch {
            audit: AUDIT_ARCH_I386,
            ioctl: &[54],
        },
    ];
    const ARM: &[Arch] = &[
        Arch {
            audit: AUDIT_ARCH_AARCH64,
            ioctl: &[29],
        },
        Arch {
            audit: AUDIT_ARCH_ARM,
            ioctl: &[54],
        },
    ];
    if cfg!(target_arch = "x86_64") {
        Some(X86)
    } else if cfg!(target_arch = "aarch64") {
        Some(ARM)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

enum Item {
    Ld(u32),
    /// Jump to the label when A == k, else fall through.
    JeqTo(u32, usize),
    Ret(u32),
    Label(usize),
}

/// The program for `arches`.
pub fn program(arches: &[Arch]) -> Vec<Insn> {
    const CHECK: usize = 1000;
    const DENY: usize = 1001;
    let mut items = vec![Item::Ld(OFF_ARCH)];
    for (i, a) in arches.iter().enumerate() {
        items.push(Item::JeqTo(a.audit, i));
    }
    items.push(Item::Ret(RET_KILL_PROCESS));
    for (i, a) in arches.iter().enumerate() {
        items.push(Item::Label(i));
        items.push(Item::Ld(OFF_NR));
        for &nr in a.ioctl {
            items.push(Item::JeqTo(nr, CHECK));
        }
        items.push(Item::Ret(RET_ALLOW));
    }
    items.push(Item::Label(CHECK));
    items.push(Item::Ld(OFF_ARG1_LO));
    items.push(Item::JeqTo(TIOCSTI, DENY));
    items.push(Item::JeqTo(TIOCLINUX, DENY));
    items.push(Item::Ret(RET_ALLOW));
    items.push(Item::Label(DENY));
    items.push(Item::Ret(RET_ERRNO | EPERM));

    // Instruction index of each label.
    let mut at = std::collections::HashMap::new();
    let mut n = 0usize;
    for it in &items {
        match it {
            Item::Label(l) => {
                at.insert(*l, n);
            }
            _ => n += 1,
        }
    }
    let mut out = Vec::with_capacity(n);
    for it in &items {
        let pc = out.len();
        match it {
            Item::Label(_) => {}
            Item::Ld(off) => out.push(Insn {
                code: LD_W_ABS,
                jt: 0,
                jf: 0,
                k: *off,
            }),
            Item::Ret(k) => out.push(Insn {
                code: RET_K,
                jt: 0,
                jf: 0,
                k: *k,
            }),
            Item::JeqTo(k, label) => {
                let offset = at[label] - (pc + 1);
                let jt = u8::try_from(offset).expect("bug in jailgen: seccomp jump too long");
                out.push(Insn {
                    code: JEQ_K,
                    jt,
                    jf: 0,
                    k: *k,
                });
            }
        }
    }
    out
}

/// The raw bytes bwrap's `--add-seccomp-fd` reads (native-endian `struct sock_filter`s).
pub fn to_bytes(prog: &[Insn]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        out.extend_from_slice(&i.code.to_ne_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_ne_bytes());
    }
    out
}

/// Decodes raw bytes back into instructions (`None` when the length is not a multiple of 8).
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<Insn>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| Insn {
                code: u16::from_ne_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect(),
    )
}

/// A synthetic `struct seccomp_data`.
pub fn seccomp_data(nr: u32, arch: u32, args: [u64; 6]) -> [u8; 64] {
    let mut d = [0u8; 64];
    d[0..4].copy_from_slice(&nr.to_le_bytes());
    d[4..8].copy_from_slice(&arch.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        d[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
    }
    d
}

/// Runs a classic BPF program on `data` the way the kernel does, for the subset of
/// instructions seccomp programs use (loads, ALU with constants, jumps, returns). `None` for
/// an invalid program (unknown instruction, jump or load out of range, no return).
pub fn run(prog: &[Insn], data: &[u8; 64]) -> Option<u32> {
    let (mut a, mut x) = (0u32, 0u32);
    let mut pc = 0usize;
    let mut steps = 0;
    while pc < prog.len() && steps < 4096 {
        steps += 1;
        let i = prog[pc];
        pc += 1;
        let class = i.code & 0x07;
        match class {
            0x00 => {
                // LD
                if i.code == LD_W_ABS {
                    let off = i.k as usize;
                    let w = data.get(off..off + 4)?;
                    a = u32::from_ne_bytes([w[0], w[1], w[2], w[3]]);
                } else if i.code == 0x00 {
                    a = i.k; // ld imm
                } else {
                    return None;
                }
            }
            0x01 if i.code == 0x01 => x = i.k, // ldx imm
            0x01 => return None,
            0x04 => {
                // ALU with K (0x04) or X (0x0c)
                let v = if i.code & 0x08 != 0 { x } else { i.k };
                a = match i.code & 0xf0 {
                    0x00 => a.wrapping_add(v),
                    0x10 => a.wrapping_sub(v),
                    0x50 => a & v,
                    0x40 => a | v,
                    0x60 => a.checked_shl(v)?,
                    0x70 => a.checked_shr(v)?,
                    _ => return None,
                };
            }
            0x05 => {
                // JMP
                let v = if i.code & 0x08 != 0 { x } else { i.k };
                let op = i.code & 0xf0;
                if op == 0x00 {
                    pc = pc.checked_add(i.k as usize)?;
                    continue;
                }
                let taken = match op {
                    0x10 => a == v,
                    0x20 => a > v,
                    0x30 => a >= v,
                    0x40 => a & v != 0,
                    _ => return None,
                };
                pc += if taken { i.jt as usize } else { i.jf as usize };
            }
            0x06 => {
                return Some(if i.code & 0x18 == 0x10 { a } else { i.k });
            }
            0x07 => {
                // MISC: tax / txa
                match i.code {
                    0x07 => x = a,
                    0x87 => a = x,
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Arch] = &[
        Arch {
            audit: AUDIT_ARCH_X86_64,
            ioctl: &[16, X32_SYSCALL_BIT | 514, X32_SYSCALL_BIT | 16],
        },
        Arch {
            audit: AUDIT_ARCH_I386,
            ioctl: &[54],
        },
        Arch {
            audit: AUDIT_ARCH_AARCH64,
            ioctl: &[29],
        },
        Arch {
            audit: AUDIT_ARCH_ARM,
            ioctl: &[54],
        },
    ];

    fn verdict(prog: &[Insn], nr: u32, arch: u32, req: u64) -> u32 {
        run(prog, &seccomp_data(nr, arch, [1, req, 0, 0, 0, 0])).expect("valid program")
    }

    const DENY: u32 = RET_ERRNO | EPERM;

    #[test]
    fn tiocsti_and_tioclinux_get_eperm_on_every_abi() {
        let prog = program(ALL);
        for (arch, nr) in [
            (AUDIT_ARCH_X86_64, 16),
            (AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | 514),
            (AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | 16),
            (AUDIT_ARCH_I386, 54),
            (AUDIT_ARCH_AARCH64, 29),
            (AUDIT_ARCH_ARM, 54),
        ] {
            for req in [TIOCSTI, TIOCLINUX] {
                assert_eq!(
                    verdict(&prog, nr, arch, u64::from(req)),
                    DENY,
                    "{arch:x} {nr}"
                );
                // Junk in the upper half: the kernel truncates it, so must we.
                let high = 0xdead_beef_0000_0000 | u64::from(req);
                assert_eq!(
                    verdict(&prog, nr, arch, high),
                    DENY,
                    "{arch:x} {nr} high bits"
                );
            }
        }
    }

    #[test]
    fn everything_else_is_allowed() {
        let prog = program(ALL);
        // TIOCGWINSZ, TCGETS, TCSETS on every ABI.
        for (arch, nr) in [
            (AUDIT_ARCH_X86_64, 16),
            (AUDIT_ARCH_I386, 54),
            (AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | 514),
            (AUDIT_ARCH_AARCH64, 29),
        ] {
            for req in [0x5413u64, 0x5401, 0x5402, 0x5411, 0x541d] {
                assert_eq!(
                    verdict(&prog, nr, arch, req),
                    RET_ALLOW,
                    "{arch:x} {nr} {req:x}"
                );
            }
        }
        // Other system calls with the TIOCSTI number as argument: read(2) on x86_64 is 0,
        // i386's 16 is lchown, x86_64's 54 is setsockopt.
        assert_eq!(verdict(&prog, 0, AUDIT_ARCH_X86_64, 0x5412), RET_ALLOW);
        assert_eq!(verdict(&prog, 16, AUDIT_ARCH_I386, 0x5412), RET_ALLOW);
        assert_eq!(verdict(&prog, 54, AUDIT_ARCH_X86_64, 0x5412), RET_ALLOW);
    }

    #[test]
    fn an_unlisted_architecture_is_killed() {
        let prog = program(&ALL[..2]);
        assert_eq!(verdict(&prog, 29, AUDIT_ARCH_AARCH64, 1), RET_KILL_PROCESS);
        assert_eq!(verdict(&prog, 16, 0xc000_00f3, 1), RET_KILL_PROCESS); // riscv64
    }

    #[test]
    fn the_bytes_decode_to_the_program_and_every_jump_lands_inside() {
        let prog = program(native_arches().unwrap_or(ALL));
        let bytes = to_bytes(&prog);
        assert_eq!(bytes.len() % 8, 0);
        assert_eq!(from_bytes(&bytes).unwrap(), prog);
        for (pc, i) in prog.iter().enumerate() {
            if i.code == JEQ_K {
                assert!(pc + 1 + (i.jt as usize) < prog.len());
                assert!(pc + 1 + (i.jf as usize) < prog.len());
            }
        }
        assert_eq!(prog.last().unwrap().code, RET_K, "ends with a return");
    }

    #[test]
    fn native_arches_on_x86_64_cover_i386_and_x32() {
        if cfg!(target_arch = "x86_64") {
            let a = native_arches().unwrap();
            assert_eq!(a.len(), 2);
            let prog = program(a);
            assert_eq!(verdict(&prog, 54, AUDIT_ARCH_I386, 0x5412), DENY);
            assert_eq!(
                verdict(&prog, X32_SYSCALL_BIT | 514, AUDIT_ARCH_X86_64, 0x541c),
                DENY
            );
        }
    }
}
