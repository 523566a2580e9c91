#!/usr/bin/python3
# Serves one libguestfs appliance over stdio: one JSON request per line in, one JSON reply per line out.
# Request: {"id": N, "op": NAME, ...arguments}. Reply: {"id": N, "ok": RESULT} or {"id": N, "error": MESSAGE,
# "errno": NAME?, "kind": KIND?}. A failed call is answered and the session goes on; stdin closing ends it.
# Paths in requests are guest paths of a side: "m" (the disks browsed) or "b" (the base they are compared with),
# mounted under /m and /b of the appliance; nothing is ever mounted on the appliance's own /.
import base64
import errno as errnomod
import json
import os
import re
import signal
import sys
import shutil
import tempfile
import threading
import time

try:
    import guestfs
except ImportError:
    sys.stdout.write(json.dumps({"id": 0, "error": "python3-guestfs is not installed", "kind": "missing"}) + "\n")
    sys.stdout.flush()
    sys.exit(3)

g = guestfs.GuestFS(python_return_dict=True)
log = []


def on_event(ev, eh, buf, array):
    log.extend((buf if isinstance(buf, str) else buf.decode("utf-8", "replace")).splitlines())
    del log[:-200]


g.set_verbose(True)
g.set_event_callback(on_event, guestfs.EVENT_APPLIANCE | guestfs.EVENT_LIBRARY | guestfs.EVENT_WARNING)
state = {"readonly": True, "sides": {}, "launched": False}
FS_SKIP = ("swap", "unknown", "")
CHUNK = 1 << 20


class Refused(Exception):
    def __init__(self, message, kind):
        super().__init__(message)
        self.kind = kind


def own_children_sockdirs(kill=False):
    """Socket folders of the appliance's QEMU (a child of this process), read from its command line; `kill` kills
    the children too (cancel: the handle is locked by the launch, so libguestfs cannot be asked)."""
    found = set()
    me = str(os.getpid())
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            if ppid != me:
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
            found.update(re.findall(r"(/tmp/libguestfs[A-Za-z0-9]{6})/", cmd))
            if kill:
                os.kill(int(pid), signal.SIGKILL)
        except (OSError, IndexError):
            pass
    return sorted(found)


def own_children_pids():
    """Process ids of this process's children (the appliance's QEMU), so the client can see it gone."""
    me = str(os.getpid())
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == me:
                    out.append(int(pid))
        except (OSError, IndexError):
            pass
    return out


def p(side, path):
    if side not in ("m", "b"):
        raise Refused("unknown side %r" % side, "usage")
    if not path.startswith("/"):
        path = "/" + path
    path = os.path.normpath(path)
    if path.startswith("//"):
        path = path[1:]
    return "/" + side + ("" if path == "/" else path)


def stat_dict(s):
    return {
        "mode": s["st_mode"],
        "size": s["st_size"],
        "mtime": s["st_mtime_sec"] * 1000 + s["st_mtime_nsec"] // 1000000,
        "ctime": s["st_ctime_sec"] * 1000 + s["st_ctime_nsec"] // 1000000,
        "uid": s["st_uid"],
        "gid": s["st_gid"],
    }


def canonical(dev):
    try:
        return g.canonical_device_name(dev)
    except RuntimeError:
        return dev


def drive_letters(i):
    """sda, sdb, ... sdz, sdaa, ... as the kernel names the i-th disk (bijective base 26)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = "abcdefghijklmnopqrstuvwxyz"[r] + s
    return s


def side_devices(ndrives_before, ndrives):
    return ["/dev/sd" + drive_letters(i) for i in range(ndrives_before, ndrives_before + ndrives)]


def owned(dev, prefixes):
    return any(dev == d or (dev.startswith(d) and dev[len(d):].isdigit()) for d in prefixes)


def read_small(path):
    size = g.filesize(path)
    return g.pread(path, min(size, CHUNK), 0).decode("utf-8", "replace")


def fstab_mounts(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split()
        if len(f) < 3 or not f[1].startswith("/") or f[2] in ("swap", "proc", "sysfs", "tmpfs", "devpts", "none"):
            continue
        out.append((f[0], f[1].replace("\\040", " ")))
    return out


def resolve_spec(spec, fss, base_index):
    if spec.startswith("UUID="):
        want = spec[5:].strip('"').lower()
        return next((d for d in fss if (vfs(d, "uuid") or "").lower() == want), None)
    if spec.startswith("LABEL="):
        want = spec[6:].strip('"')
        return next((d for d in fss if vfs(d, "label") == want), None)
    if spec.startswith("/dev/"):
        m = re.match(r"^/dev/(?:[shv]d|xvd)([a-z])(\d*)$", spec)
        if m:
            letter = "abcdefghijklmnopqrstuvwxyz"[ord(m.group(1)) - 97 + base_index]
            cand = "/dev/sd" + letter + m.group(2)
            return cand if cand in fss else None
        m = re.match(r"^/dev/mapper/([^-]+(?:--[^-]+)*)-(.+)$", spec)
        if m:
            cand = "/dev/" + m.group(1).replace("--", "-") + "/" + m.group(2).replace("--", "-")
            return cand if cand in fss else None
        return spec if spec in fss else None
    return None


def vfs(dev, what):
    try:
        return g.vfs_uuid(dev) if what == "uuid" else g.vfs_label(dev)
    except RuntimeError:
        return None


def mount_side(side, drive_from, drive_count, all_fs, has_lvm_conflict, mount=None):
    """Mounts a side's filesystems under /<side> (by its /etc/fstab when it has several). With `mount` given, the
    filesystems are candidates not yet probed: one that does not mount is left out, and none mounted is refused."""
    prefixes = side_devices(drive_from, drive_count)
    fss = {d: t for d, t in all_fs.items() if owned(d, prefixes) or (not owned_any(d) and not has_lvm_conflict)}
    usable = {d: t for d, t in fss.items() if t not in FS_SKIP and t != "crypto_LUKS"}
    encrypted = [d for d, t in fss.items() if t == "crypto_LUKS"]
    root = "/" + side
    g.mkmountpoint(root)
    tolerant = mount is not None
    mount = mount or (g.mount_ro if state["readonly"] or side == "b" else g.mount)
    if not usable:
        if encrypted:
            raise Refused("the disk's filesystem is encrypted (%s): it cannot be opened without its key" % ", ".join(encrypted), "encrypted")
        raise Refused("the disk has no filesystem that can be opened", "nofs")
    layout = []
    if len(usable) == 1:
        dev = next(iter(usable))
        try:
            mount(dev, root)
        except RuntimeError:
            if not tolerant:
                raise
            raise Refused("the disk has no filesystem that can be opened", "nofs")
        layout.append({"mountpoint": "/", "device": dev, "type": usable[dev]})
        return {"layout": layout, "encrypted": encrypted}
    g.mkmountpoint("/probe" + side)
    fstab = None
    for dev in sorted(usable):
        try:
            g.mount_ro(dev, "/probe" + side)
        except RuntimeError:
            continue
        try:
            if g.is_file("/probe" + side + "/etc/fstab"):
                fstab = (dev, read_small("/probe" + side + "/etc/fstab"))
        finally:
            g.umount("/probe" + side)
        if fstab:
            break
    if fstab:
        mounts = [("/", fstab[0])]
        for spec, mp in fstab_mounts(fstab[1]):
            dev = resolve_spec(spec, usable, drive_from)
            if mp != "/" and dev and dev != fstab[0]:
                mounts.append((mp, dev))
        mounts.sort(key=lambda x: len(x[0]))
        for mp, dev in mounts:
            try:
                mount(dev, root if mp == "/" else root + mp)
                layout.append({"mountpoint": mp, "device": dev, "type": usable[dev]})
            except RuntimeError:
                pass
    else:
        for dev in sorted(usable):
            name = dev[len("/dev/"):].replace("/", "-")
            g.mkmountpoint(root + "/" + name)
            try:
                mount(dev, root + "/" + name)
            except RuntimeError:
                if not tolerant:
                    raise
                g.rmmountpoint(root + "/" + name)
                continue
            layout.append({"mountpoint": "/" + name, "device": dev, "type": usable[dev]})
    if tolerant and not layout:
        raise Refused("the disk has no filesystem that can be opened", "nofs")
    return {"layout": layout, "encrypted": encrypted}


def owned_any(dev):
    return re.match(r"^/dev/sd[a-z]+\d*$", dev) is not None


def start_appliance():
    """Launches the appliance on the drives added (in a thread that a shutdown can wait for), syncing every write;
    a failed launch is refused with the end of the appliance's log."""
    g.set_autosync(True)
    t = threading.Thread(target=launch_thread)
    state["launch_thread"] = t
    t.start()
    t.join()
    if state.get("launch_error"):
        raise Refused("%s\n--- appliance log (last lines) ---\n%s" % (state["launch_error"], "\n".join(log[-60:])), "launch")
    state["launched"] = True


def op_launch(req):
    drives = req["drives"]
    state["readonly"] = bool(req.get("readonly", True))
    for d in drives:
        ro = state["readonly"] or d.get("side") == "b"
        g.add_drive_opts(d["path"], readonly=ro, format=d.get("format", "qcow2"))
    start_appliance()
    all_fs = g.list_filesystems()
    count = {"m": sum(1 for d in drives if d.get("side", "m") == "m"), "b": sum(1 for d in drives if d.get("side") == "b")}
    lvm = any(not owned_any(d) for d in all_fs)
    if count["b"] and lvm:
        raise Refused("the disks use LVM: comparing LVM volumes with the template is not supported", "lvm")
    result = {"sockdirs": own_children_sockdirs(), "pids": own_children_pids(), "sides": {}}
    result["sides"]["m"] = mount_side("m", 0, count["m"], all_fs, False)
    if count["b"]:
        result["sides"]["b"] = mount_side("b", count["m"], count["b"], all_fs, True)
    return result


def op_launch_groups(req):
    """One appliance for many disk sets (the clones of a batch): group i is mounted read-write under /g<i> only when
    its turn comes (op_identity), not here: mounting every group up front, and probing every drive at once, made the
    first clone wait for all of them. LVM is not mounted (the clones' volume groups have the same names)."""
    groups = req["groups"]
    state["readonly"] = False
    for grp in groups:
        for d in grp["drives"]:
            g.add_drive_opts(d["path"], readonly=False, format=d.get("format", "qcow2"))
    t = time.time()
    start_appliance()
    timing("launch %d drives %.2f s" % (sum(len(grp["drives"]) for grp in groups), time.time() - t))
    t = time.time()
    # Listed once for all groups (parted on one drive per clone took longer than this listing of all).
    state["partitions"] = g.list_partitions()
    timing("list partitions %.2f s" % (time.time() - t))
    first = 0
    state["groups"] = []
    for grp in groups:
        n = len(grp["drives"])
        state["groups"].append((first, n))
        first += n
    return {"sockdirs": own_children_sockdirs(), "pids": own_children_pids(), "groups": len(groups)}


# Filesystems whose unmount issues a cache flush to their device (their sync_fs does; ext2 and ext3 are mounted by
# the ext4 driver), so the disk image holds what was written once umount returns. A filesystem of another type costs
# a full sync, which flushes every drive of the appliance.
FLUSHED_BY_UMOUNT = ("ext4", "xfs", "btrfs")


def group_candidates(first, n):
    """What may hold a filesystem on drives first..first+n-1: each partition, or the whole drive when it has none.
    Not probed with blkid (vfs_type, list_filesystems): under TCG each probe took longer the more drives the
    appliance had (0.26 s with 1 drive, 1.5 s with 10, 10 s with 100); a mount finds out instead."""
    found = {}
    for dev in side_devices(first, n):
        for d in [x for x in state["partitions"] if owned(x, [dev]) and x != dev] or [dev]:
            found[d] = "?"
    return found


def mount_group(i):
    """Mounts group i read-write under /g<i>, each filesystem as ext4, xfs or btrfs (which a later unmount flushes)
    or else as what the kernel recognizes; returns its layout with the types mounted."""
    first, n = state["groups"][i]
    types = {}

    def mount(dev, where):
        for t in FLUSHED_BY_UMOUNT:
            try:
                g.mount_vfs("", t, dev, where)
                types[dev] = t
                return
            except RuntimeError:
                pass
        g.mount(dev, where)
        types[dev] = "other"

    candidates = group_candidates(first, n)
    try:
        side = mount_side("g%d" % i, first, n, candidates, True, mount)
    except Refused as e:
        # Nothing could be mounted: an encrypted disk is named as such (a probe, only on this path).
        encrypted = [d for d in candidates if e.kind == "nofs" and vfs_type_or_unknown(d) == "crypto_LUKS"]
        if encrypted:
            raise Refused("the disk's filesystem is encrypted (%s): it cannot be opened without its key" % ", ".join(encrypted), "encrypted")
        raise
    for m in side["layout"]:
        m["type"] = types.get(m["device"], m["type"])
    return side


def vfs_type_or_unknown(dev):
    try:
        return g.vfs_type(dev)
    except RuntimeError:
        return "unknown"


def unmount_group(i, layout):
    """Unmounts group i (deepest first), which writes its filesystems out and flushes their drives; a type whose
    unmount does not flush gets a full sync. Raises when a filesystem could not be unmounted: what was written to it
    is not known to be on disk."""
    root = "/g%d" % i
    for m in sorted(layout, key=lambda x: -len(x["mountpoint"])):
        g.umount(root if m["mountpoint"] == "/" else root + m["mountpoint"])
    if any(m["type"] not in FLUSHED_BY_UMOUNT for m in layout):
        g.sync()


def timing(text):
    if os.environ.get("QQ2CLONE_GUESTFS_TIMES"):
        sys.stderr.write("times: %s\n" % text)
        sys.stderr.flush()


def replace_file(path, data, mode, uid=0, gid=0):
    """Writes a regular file (a symbolic link in its place is removed first: the guest's links are not followed)."""
    if g.is_symlink(path):
        g.rm(path)
    g.write(path, data)
    g.chmod(mode, path)
    g.chown(uid, gid, path)


def hosts_text(old_text, old_name, new_name):
    """/etc/hosts with the old hostname replaced by the new one; a 127.0.1.1 line added when no line names it."""
    lines = []
    for line in old_text.splitlines():
        body, sep, comment = line.partition("#")
        f = body.split()
        if old_name and len(f) > 1 and old_name in f[1:]:
            f = [f[0]] + [new_name if x == old_name else x for x in f[1:]]
            seen = set()
            f = [x for x in f if not (x in seen or seen.add(x))]
            line = " ".join(f) + ((" " + sep + comment) if sep else "")
        lines.append(line)
    if not any(new_name in l.partition("#")[0].split()[1:] for l in lines):
        lines.append("127.0.1.1 " + new_name)
    return "\n".join(lines) + "\n"


def passwd_entry(root, user):
    for line in read_small(root + "/etc/passwd").splitlines():
        f = line.split(":")
        if len(f) >= 7 and f[0] == user:
            return int(f[2]), int(f[3]), f[5]
    return None


def op_identity(req):
    """Writes one clone's identity into group `group`, mounted for it and unmounted after: what was written is on its
    drives when this answers (the unmount flushes them), and no other drive is flushed. Linux guests only."""
    i = int(req["group"])
    if not state.get("launched") or i < 0 or i >= len(state.get("groups", [])):
        raise Refused("no such disk set in this appliance", "usage")
    t0 = time.time()
    layout = mount_group(i)["layout"]
    timing("identity %d: mounted %s" % (i, ", ".join("%s %s" % (m["device"], m["type"]) for m in layout)))
    t1 = time.time()
    try:
        out = write_identity(i, req)
    except BaseException:
        try:
            unmount_group(i, layout)
        except RuntimeError:
            pass
        raise
    t2 = time.time()
    unmount_group(i, layout)
    timing("identity %d: mount %.2f s, write %.2f s, unmount and flush %.2f s" % (i, t1 - t0, t2 - t1, time.time() - t2))
    return out


def write_identity(i, req):
    """Hostname (/etc/hostname, /etc/hosts), machine-id, SSH host keys for the server(s) the guest has, and an
    authorized key, into group i mounted under /g<i>."""
    r = "/g%d" % i
    if g.is_dir(r + "/Windows") or g.is_dir(r + "/WINDOWS"):
        raise Refused("this is a Windows guest: a new identity is written for Linux guests only", "notlinux")
    if not g.is_file(r + "/etc/passwd", followsymlinks=True) or not g.is_dir(r + "/etc", followsymlinks=False):
        raise Refused("no Linux system found on the disk (no /etc/passwd): a new identity is written for Linux guests only", "notlinux")
    name = req["hostname"]
    old = read_small(r + "/etc/hostname").strip() if g.is_file(r + "/etc/hostname") else ""
    replace_file(r + "/etc/hostname", (name + "\n").encode(), 0o644)
    hosts = read_small(r + "/etc/hosts") if g.is_file(r + "/etc/hosts") else "127.0.0.1 localhost\n"
    replace_file(r + "/etc/hosts", hosts_text(hosts, old, name).encode(), 0o644)
    mid = (req["machineId"] + "\n").encode()
    replace_file(r + "/etc/machine-id", mid, 0o444)
    if g.is_file(r + "/var/lib/dbus/machine-id", followsymlinks=False):
        replace_file(r + "/var/lib/dbus/machine-id", mid, 0o444)
    servers = []
    key = req.get("hostKey")
    if key:
        has_sshd = g.is_file(r + "/usr/sbin/sshd") or g.is_file(r + "/etc/ssh/sshd_config")
        if has_sshd and g.is_dir(r + "/etc/ssh", followsymlinks=False):
            for f in g.glob_expand(r + "/etc/ssh/ssh_host_*_key*"):
                g.rm(f)
            replace_file(r + "/etc/ssh/ssh_host_ed25519_key", base64.b64decode(key["openssh"]), 0o600)
            replace_file(r + "/etc/ssh/ssh_host_ed25519_key.pub", (key["public"] + "\n").encode(), 0o644)
            servers.append("openssh")
        has_dropbear = g.is_file(r + "/usr/sbin/dropbear") or g.is_dir(r + "/etc/dropbear")
        if has_dropbear:
            if not g.is_dir(r + "/etc/dropbear", followsymlinks=False):
                g.mkdir(r + "/etc/dropbear")
                g.chmod(0o755, r + "/etc/dropbear")
            for f in g.glob_expand(r + "/etc/dropbear/dropbear_*_host_key"):
                g.rm(f)
            replace_file(r + "/etc/dropbear/dropbear_ed25519_host_key", base64.b64decode(key["dropbear"]), 0o600)
            servers.append("dropbear")
    auth = req.get("authorize")
    if auth:
        ent = passwd_entry(r, auth["user"])
        if not ent:
            raise Refused("user %s is not in the guest's /etc/passwd: its key cannot be authorized" % auth["user"], "nouser")
        uid, gid, home = ent
        if not home.startswith("/") or ".." in home.split("/"):
            raise Refused("user %s has no usable home directory (%r)" % (auth["user"], home), "nouser")
        d = r + os.path.normpath(home) + "/.ssh"
        if g.is_symlink(d):
            raise Refused("%s/.ssh is a symbolic link: not written through" % home, "nouser")
        if not g.is_dir(d):
            g.mkdir_p(d)
            g.chown(uid, gid, d)
        g.chmod(0o700, d)
        f = d + "/authorized_keys"
        text = read_small(f) if g.is_file(f, followsymlinks=False) else ""
        if auth["key"].strip() not in [l.strip() for l in text.splitlines()]:
            text = text + ("" if not text or text.endswith("\n") else "\n") + auth["key"].strip() + "\n"
        replace_file(f, text.encode(), 0o600, uid, gid)
    return {"servers": servers, "oldHostname": old}


def launch_thread():
    try:
        g.launch()
    except Exception as e:  # reported by op_launch
        state["launch_error"] = e


def need_rw():
    if state["readonly"]:
        raise Refused("this disk is open read-only", "readonly")


def op_stat(req):
    path = p(req.get("side", "m"), req["path"])
    s = g.lstatns(path)
    r = stat_dict(s)
    if (s["st_mode"] & 0o170000) == 0o120000:
        r["target"] = g.readlink(path)
        try:
            r["targetMode"] = g.statns(path)["st_mode"]
        except RuntimeError:
            pass
    return r


def op_readdir(req):
    path = p(req.get("side", "m"), req["path"])
    names = [n for n in g.ls(path)]
    out = []
    for i in range(0, len(names), 500):
        batch = names[i : i + 500]
        for n, s in zip(batch, g.lstatnslist(path, batch)):
            out.append([n, s["st_mode"], s["st_size"], s["st_mtime_sec"] * 1000 + s["st_mtime_nsec"] // 1000000])
    return out


def op_read(req):
    path = p(req.get("side", "m"), req["path"])
    size = g.filesize(path)
    limit = req.get("limit")
    if limit is not None and size > limit:
        raise Refused("the file is %d bytes, more than %d" % (size, limit), "toolarge")
    parts = []
    off = 0
    while off < size:
        b = g.pread(path, min(CHUNK, size - off), off)
        if not b:
            break
        parts.append(b)
        off += len(b)
    return base64.b64encode(b"".join(parts)).decode("ascii")


def op_write(req):
    need_rw()
    path = p("m", req["path"])
    data = base64.b64decode(req["data"])
    exists = g.exists(path)
    if exists and not req.get("overwrite", True):
        raise Refused("%s exists" % req["path"], "exists")
    if not exists and not req.get("create", True):
        raise Refused("%s does not exist" % req["path"], "notfound")
    if len(data) < CHUNK:
        g.write(path, data)
    else:
        with tempfile.NamedTemporaryFile() as f:
            f.write(data)
            f.flush()
            g.upload(f.name, path)
    return None


def op_mkdir(req):
    need_rw()
    g.mkdir(p("m", req["path"]))


def op_delete(req):
    need_rw()
    path = p("m", req["path"])
    if g.is_dir(path, followsymlinks=False):
        if req.get("recursive"):
            g.rm_rf(path)
        else:
            g.rmdir(path)
    else:
        g.rm(path)


def op_rename(req):
    need_rw()
    src, dst = p("m", req["from"]), p("m", req["to"])
    if g.exists(dst):
        if not req.get("overwrite"):
            raise Refused("%s exists" % req["to"], "exists")
        g.rm_rf(dst)
    g.rename(src, dst)


def op_copy_in(req):
    need_rw()
    g.copy_in(req["local"], p("m", req["dir"]))


def op_copy_out(req):
    g.copy_out(p(req.get("side", "m"), req["path"]), req["local"])


def op_walk(req):
    """Every entry under the side's root: [path, mode, size, mtime, target]; directories first, then their contents."""
    side = req.get("side", "m")
    root = p(side, "/")
    with tempfile.NamedTemporaryFile() as f:
        g.find0(root, f.name)
        f.seek(0)
        rels = [x.decode("utf-8", "surrogateescape").lstrip("/") for x in f.read().split(b"\0") if x]
    by_dir = {}
    for rel in rels:
        d, _, n = rel.rpartition("/")
        by_dir.setdefault(d, []).append(n)
    out = []
    for d, names in by_dir.items():
        base = root + ("/" + d if d else "")
        for i in range(0, len(names), 500):
            batch = names[i : i + 500]
            for n, s in zip(batch, g.lstatnslist(base, batch)):
                rel = "/" + (d + "/" if d else "") + n
                target = None
                if (s["st_mode"] & 0o170000) == 0o120000:
                    try:
                        target = g.readlink(base + "/" + n)
                    except RuntimeError:
                        target = ""
                out.append([rel, s["st_mode"], s["st_size"], s["st_mtime_sec"] * 1000 + s["st_mtime_nsec"] // 1000000, target])
    return out


def op_equal(req):
    """Which of these paths have the same content on both sides."""
    out = []
    for path in req["paths"]:
        try:
            out.append(bool(g.equal(p("b", path), p("m", path))))
        except RuntimeError:
            out.append(False)
    return out


def op_sync(req):
    g.sync()


OPS = {
    "launch": op_launch,
    "stat": op_stat,
    "readdir": op_readdir,
    "read": op_read,
    "write": op_write,
    "mkdir": op_mkdir,
    "delete": op_delete,
    "rename": op_rename,
    "copyIn": op_copy_in,
    "copyOut": op_copy_out,
    "walk": op_walk,
    "equal": op_equal,
    "sync": op_sync,
    "launchGroups": op_launch_groups,
    "identity": op_identity,
}


MESSAGES = (
    ("No such file or directory", "ENOENT"),
    ("File exists", "EEXIST"),
    ("Not a directory", "ENOTDIR"),
    ("Is a directory", "EISDIR"),
    ("Directory not empty", "ENOTEMPTY"),
    ("Permission denied", "EACCES"),
    ("Read-only file system", "EROFS"),
    ("No space left on device", "ENOSPC"),
)


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def shutdown(*_):
    """Cancelled (SIGTERM), possibly in the middle of the launch: kill the appliance's QEMU until the launch gives up
    (it holds the handle's lock), then close the handle, which removes its socket folders."""
    t = state.get("launch_thread")
    deadline = time.time() + 8
    while t is not None and t.is_alive() and time.time() < deadline:
        own_children_sockdirs(kill=True)
        t.join(0.05)
    if t is None or not t.is_alive():
        try:
            g.close()
        except Exception:
            pass
    for d in own_children_sockdirs(kill=True):
        shutil.rmtree(d, ignore_errors=True)
    os._exit(143)



def main():
    signal.signal(signal.SIGTERM, shutdown)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        rid = req.get("id")
        fn = OPS.get(req.get("op"))
        try:
            if fn is None:
                raise Refused("unknown operation %r" % req.get("op"), "usage")
            reply({"id": rid, "ok": fn(req)})
        except Refused as e:
            reply({"id": rid, "error": str(e), "kind": e.kind})
        except RuntimeError as e:
            code = None
            try:
                n = g.last_errno()
                code = errnomod.errorcode.get(n) if n else None
            except Exception:
                pass
            msg = str(e)
            for text, name in MESSAGES:
                if code is None and text in msg:
                    code = name
            reply({"id": rid, "error": msg, **({"errno": code} if code else {})})
        except Exception as e:
            reply({"id": rid, "error": "%s: %s" % (type(e).__name__, e)})
    try:
        if state["launched"]:
            g.shutdown()
        g.close()
    except Exception:
        pass


main()
