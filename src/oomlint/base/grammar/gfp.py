"""The kernel's GFP (get-free-pages) allocation flags, per kernel era, for the ``gfp_mask=``
of an OOM report's trigger line.

Kernels since 4.5 print the decoded flags themselves (``gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE)``,
``%pGg`` in lib/vsprintf.c with the tables of include/trace/events/mmflags.h); older kernels
print the bare hex (``gfp_mask=0x201da``). The bit values moved three times, so the same hex
means different flags by era (include/linux/gfp.h, later gfp_types.h):

- up to 4.3: ``__GFP_WAIT`` 0x10, ``__GFP_IO`` 0x40, ``__GFP_FS`` 0x80, ``__GFP_HARDWALL``
  0x20000; GFP_KERNEL = 0xd0, GFP_HIGHUSER_MOVABLE = 0x200da (3.10: 0x201da is
  GFP_HIGHUSER_MOVABLE|__GFP_COLD).
- 4.4 to 4.12: ``__GFP_WAIT`` split into ``__GFP_DIRECT_RECLAIM`` 0x400000 and
  ``__GFP_KSWAPD_RECLAIM`` 0x2000000; GFP_KERNEL = 0x24000c0.
- 4.13 to 4.14: ``__GFP_KSWAPD_RECLAIM`` 0x1000000 (GFP_KERNEL = 0x14000c0); 4.15 to 4.19
  dropped ``__GFP_COLD``/``__GFP_NOTRACK``/``__GFP_OTHER_NODE`` (GFP_KERNEL = 0x6000c0).
- 5.0 on: compact numbering, GFP_KERNEL = 0xcc0, GFP_HIGHUSER_MOVABLE = 0x100cca.

Decoding follows ``%pGg``: composite names first (largest first), then the single flags left,
then any bits no table names as a hex remainder.
"""

from __future__ import annotations

# ---- single flags per era ----------------------------------------------------------------

_LEGACY = {  # 2.6.x - 4.3
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_WAIT": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_COLD": 0x100, "__GFP_NOWARN": 0x200, "__GFP_REPEAT": 0x400, "__GFP_NOFAIL": 0x800,
    "__GFP_NORETRY": 0x1000, "__GFP_MEMALLOC": 0x2000, "__GFP_COMP": 0x4000,
    "__GFP_ZERO": 0x8000, "__GFP_NOMEMALLOC": 0x10000, "__GFP_HARDWALL": 0x20000,
    "__GFP_THISNODE": 0x40000, "__GFP_RECLAIMABLE": 0x80000, "__GFP_KMEMCG": 0x100000,
    "__GFP_NOTRACK": 0x200000, "__GFP_NO_KSWAPD": 0x400000, "__GFP_OTHER_NODE": 0x800000,
    "__GFP_WRITE": 0x1000000,
}
_V44 = {  # 4.4 - 4.12
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_RECLAIMABLE": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_COLD": 0x100, "__GFP_NOWARN": 0x200, "__GFP_REPEAT": 0x400, "__GFP_NOFAIL": 0x800,
    "__GFP_NORETRY": 0x1000, "__GFP_MEMALLOC": 0x2000, "__GFP_COMP": 0x4000,
    "__GFP_ZERO": 0x8000, "__GFP_NOMEMALLOC": 0x10000, "__GFP_HARDWALL": 0x20000,
    "__GFP_THISNODE": 0x40000, "__GFP_ATOMIC": 0x80000, "__GFP_ACCOUNT": 0x100000,
    "__GFP_NOTRACK": 0x200000, "__GFP_DIRECT_RECLAIM": 0x400000, "__GFP_OTHER_NODE": 0x800000,
    "__GFP_WRITE": 0x1000000, "__GFP_KSWAPD_RECLAIM": 0x2000000,
}
_V50 = {  # 5.0 -
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_RECLAIMABLE": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_ZERO": 0x100, "__GFP_ATOMIC": 0x200, "__GFP_DIRECT_RECLAIM": 0x400,
    "__GFP_KSWAPD_RECLAIM": 0x800, "__GFP_WRITE": 0x1000, "__GFP_NOWARN": 0x2000,
    "__GFP_RETRY_MAYFAIL": 0x4000, "__GFP_NOFAIL": 0x8000, "__GFP_NORETRY": 0x10000,
    "__GFP_MEMALLOC": 0x20000, "__GFP_COMP": 0x40000, "__GFP_NOMEMALLOC": 0x80000,
    "__GFP_HARDWALL": 0x100000, "__GFP_THISNODE": 0x200000, "__GFP_ACCOUNT": 0x400000,
}


def _composites(f: dict[str, int], reclaim: int) -> dict[str, int]:
    """The composite masks of include/linux/gfp.h, built from the era's single flags."""
    io, fs, hw = f["__GFP_IO"], f["__GFP_FS"], f["__GFP_HARDWALL"]
    kernel = reclaim | io | fs
    out = {
        "GFP_HIGHUSER_MOVABLE": kernel | hw | f["__GFP_HIGHMEM"] | f["__GFP_MOVABLE"],
        "GFP_HIGHUSER": kernel | hw | f["__GFP_HIGHMEM"],
        "GFP_USER": kernel | hw,
        "GFP_KERNEL": kernel,
        "GFP_NOFS": reclaim | io,
        "GFP_NOIO": reclaim,
    }
    if "__GFP_ACCOUNT" in f:
        out["GFP_KERNEL_ACCOUNT"] = kernel | f["__GFP_ACCOUNT"]
    if "__GFP_ATOMIC" in f:
        out["GFP_ATOMIC"] = f["__GFP_HIGH"] | f["__GFP_ATOMIC"] | f["__GFP_KSWAPD_RECLAIM"]
        out["GFP_NOWAIT"] = f["__GFP_KSWAPD_RECLAIM"]
    else:
        out["GFP_ATOMIC"] = f["__GFP_HIGH"]
    if "__GFP_RECLAIMABLE" in f and "__GFP_RETRY_MAYFAIL" not in f:
        out["GFP_TEMPORARY"] = kernel | f["__GFP_RECLAIMABLE"]
    return dict(sorted(out.items(), key=lambda kv: -bin(kv[1]).count("1")))


ERAS = {
    "2.6-4.3": (_LEGACY, _composites(_LEGACY, _LEGACY["__GFP_WAIT"])),
    "4.4-4.12": (_V44, _composites(_V44, _V44["__GFP_DIRECT_RECLAIM"] |
                                   _V44["__GFP_KSWAPD_RECLAIM"])),
    "5.0+": (_V50, _composites(_V50, _V50["__GFP_DIRECT_RECLAIM"] |
                               _V50["__GFP_KSWAPD_RECLAIM"])),
}


def era_of(kernel: tuple[int, int] | None) -> str:
    """The flag table for a kernel (major, minor). Without a version the bare-hex form itself
    says the kernel predates 4.5, so the legacy table."""
    if kernel is None or kernel < (4, 4):
        return "2.6-4.3"
    if kernel < (4, 13):
        return "4.4-4.12"
    if kernel >= (5, 0):
        return "5.0+"
    return ""  # 4.13-4.19 always print the decoded flags: no table kept here


def decode(mask: int, era: str) -> tuple[str, ...]:
    """The flag names of `mask` in `era`'s table, as ``%pGg`` prints them; () when the era
    has no table."""
    if era not in ERAS:
        return ()
    singles, composites = ERAS[era]
    names: list[str] = []
    left = mask
    for name, bits in composites.items():
        if bits and left & bits == bits:
            names.append(name)
            left &= ~bits
    for name, bits in singles.items():
        if left & bits:
            names.append(name)
            left &= ~bits
    if left:
        names.append(f"{left:#x}")
    return tuple(names) if names else ("0",) if mask == 0 else ()


def split_printed(text: str) -> tuple[str, ...]:
    """The flags the kernel printed in ``gfp_mask=0x...(A|B)``."""
    return tuple(t.strip() for t in text.split("|") if t.strip())
