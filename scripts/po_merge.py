#!/usr/bin/env python3
"""Three-way merge driver for gettext catalogs (git: merge.po.driver).

Usage: po_merge.py BASE OURS THEIRS  (git's %O %A %B; the result is written to OURS).
Per message: a side that changed it from the base wins; when both changed it, ours wins.
Messages added on either side are kept; nothing is ever dropped (the next
`make translations` removes what no source uses any more). Never leaves conflict markers.
"""
import sys

from babel.messages.pofile import read_po, write_po


def load(path):
    with open(path, "rb") as f:
        return read_po(f, abort_invalid=False)


def key(m):
    return (m.id if isinstance(m.id, str) else tuple(m.id), m.context)


def main(base_path, ours_path, theirs_path):
    base, ours, theirs = load(base_path), load(ours_path), load(theirs_path)
    base_msgs = {key(m): m for m in base if m.id}
    ours_msgs = {key(m): m for m in ours if m.id}
    for m in theirs:
        if not m.id:
            continue
        k = key(m)
        mine = ours_msgs.get(k)
        if mine is None:
            ours[m.id] = m  # added on their side (or deleted on ours: keep it)
            continue
        old = base_msgs.get(k)
        old_string = old.string if old is not None else None
        old_flags = set(old.flags) if old is not None else None
        if (mine.string, set(mine.flags)) == (old_string, old_flags) and old is not None:
            mine.string = m.string
            mine.flags = set(m.flags)
    with open(ours_path, "wb") as f:
        write_po(f, ours, width=76, omit_header=False, sort_output=True, ignore_obsolete=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
