#!/usr/bin/env python3
"""floors -- the rooms of prober/ stand in floors, and every include runs down or across, never up.

    floors.py [PROBER_DIR]

The floors are folders, read from the roof down (shared/DESIGN.md, "Rooms and floors"). A file may
include a header of its own folder or of any folder below it; an include that runs up a floor, a
header outside every floor, or a circle of includes among the rooms is an error. So is an outside
library's header (<sodium.h>, <gnutls/...>, ...) included by more than one room, where a room is a .c
and its .h together: each library stands behind one door (issue 13). Prints one line per problem and
then `N passed, M failed` (one check per file); exits 1 on any problem.
"""

import os
import re
import sys

# From the roof down. main.c stands alone on the roof, above every folder.
FLOORS = ["web", "probe", "net", "config", "check", "dns", "lib"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)

# Outside libraries: a header (or a folder of headers, ending in "/") -> the library's name. Each is
# included by one room of prober/.
LIBRARIES = {
    "ares.h": "c-ares",
    "microhttpd.h": "libmicrohttpd",
    "cyaml/": "libcyaml",
    "sodium.h": "libsodium",
    "gnutls/": "GnuTLS",
    "nettle/": "nettle",
    "pcre2.h": "PCRE2",
    "zlib.h": "zlib",
    "crypt.h": "libxcrypt",
}
# yaml: confined to config/ (issue 13: web/webconfig reads its YAML through config/yamlfile and
# yamldoc), where several rooms walk libyaml's documents, each one concern (depth, aliases, the
# yaml.v3 reading, the dump); no file outside config/ includes it.
YAML_HEADER, YAML_FLOOR = "yaml.h", "config"


def rank(path):
    """Floor number of a file under prober/ (0 = the roof), or None outside every floor."""
    head = path.split("/", 1)[0] if "/" in path else ""
    if head == "":
        return 0 if path == "main.c" else None
    return FLOORS.index(head) + 1 if head in FLOORS else None


def library(header):
    """The outside library a <header> belongs to, or None."""
    for key, name in LIBRARIES.items():
        if header == key or (key.endswith("/") and header.startswith(key)):
            return name
    return None


def check_libraries(root, files, problems):
    """One room per outside library; libyaml only under config/."""
    rooms = {}        # library -> {room: {files}}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            headers = SYSTEM_INCLUDE.findall(fh.read())
        room = os.path.splitext(f)[0]
        for h in headers:
            if h == YAML_HEADER:
                if rank(f) != FLOORS.index(YAML_FLOOR) + 1:
                    problems[f].append("includes <%s> outside %s/ (libyaml is confined to it)" % (h, YAML_FLOOR))
                continue
            lib = library(h)
            if lib:
                rooms.setdefault(lib, {}).setdefault(room, set()).add(f)
    for lib, by_room in sorted(rooms.items()):
        if len(by_room) < 2:
            continue
        names = ", ".join(sorted(by_room))
        for room_files in by_room.values():
            for f in sorted(room_files):
                problems[f].append("%s is included by %d rooms (%s); it belongs behind one" %
                                   (lib, len(by_room), names))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "prober")
    files = []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), root))
    files.sort()
    problems = {f: [] for f in files}
    edges = {}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            text = fh.read()
        r = rank(f)
        if r is None:
            problems[f].append("stands outside every floor (%s)" % ", ".join(FLOORS))
            continue
        edges[f] = []
        for inc in INCLUDE.findall(text):
            if inc not in problems:
                if not inc.startswith("../"):
                    problems[f].append('includes "%s", which is not a room of prober/' % inc)
                continue
            ri = rank(inc)
            if ri is None:
                continue  # reported on its own line
            if ri < r:
                problems[f].append('includes "%s" from a higher floor' % inc)
            edges[f].append(inc)
    check_libraries(root, files, problems)
    # circles: a depth-first walk over the include graph (room = .c with its .h)
    state = {}

    def walk(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                circle = stack[stack.index(nxt):] + [nxt]
                problems[node].append("circle: " + " -> ".join(circle))
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = 2

    for f in files:
        if f not in state:
            walk(f, [])
    failed = 0
    for f in files:
        for p in problems[f]:
            print("FAIL %s: %s" % (f, p))
        failed += 1 if problems[f] else 0
    print("%d passed, %d failed" % (len(files) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
