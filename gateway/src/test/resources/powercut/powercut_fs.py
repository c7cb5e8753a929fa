#!/usr/bin/python3
"""A FUSE filesystem that loses, at a power cut, every byte that was not fsync'd.

Usage: powercut_fs.py BACKING MOUNTPOINT

Writes are held in this process's memory, per file, until the file is fsync'd (fsync, fdatasync,
msync); only then do they reach BACKING and its disk. Reads see them, as a page cache would.
Killing this process with SIGKILL is the power cut: what was written but not synced is gone, and
remounting BACKING shows exactly what a machine would find after losing power. Directory entries
(create, rename, unlink, mkdir) reach BACKING at once: the model loses unsynced data, not
unsynced metadata. Used by PowerLossIT; needs python3-fusepy and /dev/fuse.
"""
import errno
import os
import sys
import threading

from fusepy import FUSE, FuseOSError, Operations


class PowerCut(Operations):
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.mutex = threading.RLock()
        self.pending = {}  # path -> list of (offset, bytes), oldest first
        self.size = {}     # path -> logical size while writes are pending

    def _full(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    # -- metadata, straight to BACKING ------------------------------------------------------

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        return os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._full(path), uid, gid)

    def getattr(self, path, fh=None):
        with self.mutex:
            st = os.lstat(self._full(path))
            attrs = {key: getattr(st, key) for key in (
                'st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid', 'st_blocks')}
            if path in self.size:
                attrs['st_size'] = self.size[path]
            return attrs

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._full(path))

    def readlink(self, path):
        return os.readlink(self._full(path))

    def mknod(self, path, mode, dev):
        return os.mknod(self._full(path), mode, dev)

    def rmdir(self, path):
        return os.rmdir(self._full(path))

    def mkdir(self, path, mode):
        return os.mkdir(self._full(path), mode)

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {key: getattr(st, key) for key in (
            'f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def unlink(self, path):
        with self.mutex:
            self.pending.pop(path, None)
            self.size.pop(path, None)
            return os.unlink(self._full(path))

    def symlink(self, name, target):
        return os.symlink(target, self._full(name))

    def rename(self, old, new):
        with self.mutex:
            os.rename(self._full(old), self._full(new))
            self.pending.pop(new, None)
            self.size.pop(new, None)
            if old in self.pending:
                self.pending[new] = self.pending.pop(old)
                self.size[new] = self.size.pop(old)

    def link(self, target, name):
        return os.link(self._full(name), self._full(target))

    def utimens(self, path, times=None):
        return os.utime(self._full(path), times)

    # -- data, held until fsync ---------------------------------------------------------------

    def open(self, path, flags):
        with self.mutex:
            if flags & os.O_TRUNC:
                self._truncate(path, 0)
            return os.open(self._full(path), flags & ~(os.O_APPEND | os.O_TRUNC))

    def create(self, path, mode, fi=None):
        with self.mutex:
            self.pending.pop(path, None)
            self.size.pop(path, None)
            return os.open(self._full(path), os.O_RDWR | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, length, offset, fh):
        with self.mutex:
            size = self.size.get(path)
            if size is None:
                return os.pread(fh, length, offset)
            end = min(offset + length, size)
            if end <= offset:
                return b''
            data = bytearray(os.pread(fh, end - offset, offset))
            if len(data) < end - offset:
                data.extend(b'\0' * (end - offset - len(data)))
            for (at, chunk) in self.pending.get(path, ()):
                lo = max(at, offset)
                hi = min(at + len(chunk), end)
                if lo < hi:
                    data[lo - offset:hi - offset] = chunk[lo - at:hi - at]
            return bytes(data)

    def write(self, path, data, offset, fh):
        with self.mutex:
            if path not in self.size:
                self.size[path] = os.fstat(fh).st_size
            self.pending.setdefault(path, []).append((offset, bytes(data)))
            self.size[path] = max(self.size[path], offset + len(data))
            return len(data)

    def _truncate(self, path, length):
        os.truncate(self._full(path), length)
        if path in self.size:
            kept = []
            for (at, chunk) in self.pending.get(path, ()):
                if at < length:
                    kept.append((at, chunk[:length - at]))
            self.pending[path] = kept
            self.size[path] = length

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self._truncate(path, length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, datasync, fh):
        with self.mutex:
            writes = self.pending.pop(path, None)
            self.size.pop(path, None)
            fd = os.open(self._full(path), os.O_WRONLY)
            try:
                for (at, chunk) in writes or ():
                    os.pwrite(fd, chunk, at)
                os.fsync(fd)
            finally:
                os.close(fd)
            return 0

    def fsyncdir(self, path, datasync, fh):
        return 0


if __name__ == '__main__':
    FUSE(PowerCut(sys.argv[1]), sys.argv[2], foreground=True, nothreads=False, big_writes=True, max_write=131072)
