// The write, delete and exec forms the sandbox tests (sandbox.test.ts as root,
// sandbox-unprivileged.test.ts through setpriv) force through bubblewrap, and the target folders
// whose snapshots must not change. Two files, so the two long runs of the table go in parallel.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Every form writes, deletes, or runs code that would, against "$T" (the target folder holding
// `sentinel` and `sdir/keep`), or against a few absolute places of the system.
export const FORMS: string[] = [
  'rm -f "$T/sentinel"', 'rm -rf "$T/sdir"', 'rm -r "$T"', 'command rm -f "$T/sentinel"', 'builtin command rm -rf "$T/sdir"',
  '\\rm -f "$T/sentinel"', '/bin/rm -f "$T/sentinel"', 'env rm -f "$T/sentinel"', 'env -S "rm -rf $T/sdir"', 'exec rm -f "$T/sentinel"',
  'hash -p /bin/rm cat; cat -rf "$T/sdir"', 'alias ls=rm; eval "ls -f $T/sentinel"', 'f() { rm -f "$1"; }; f "$T/sentinel"', 'xargs rm -f <<< "$T/sentinel"', 'find "$T" -name sentinel -delete',
  'find "$T" -type f -exec rm {} +', 'find "$T" -newer /etc -o -print0 | xargs -0 rm -rf', 'unlink "$T/sentinel"', 'rmdir "$T/sdir" 2>/dev/null || rm -rf "$T/sdir"', 'shred -u "$T/sentinel"',
  'touch "$T/new"', 'touch -d 2001-01-01 "$T/sentinel"', ': > "$T/sentinel"', '> "$T/sentinel"', 'echo x > "$T/sentinel"',
  'echo x >> "$T/sentinel"', 'echo x >| "$T/sentinel"', 'echo x &> "$T/new"', 'echo x 1<> "$T/sentinel"', 'exec 3>"$T/new"; echo x >&3',
  'printf x | tee "$T/sentinel"', 'printf x | tee -a "$T/sentinel"', 'echo x | dd of="$T/sentinel"', 'dd if=/dev/zero of="$T/sentinel" bs=1 count=1', 'dd if=/dev/zero of="$T/new" bs=1 count=1 conv=notrunc',
  'sed -i s/keep/gone/ "$T/sentinel"', 'sed -i.bak s/a/b/ "$T/sentinel"', 'sed -n "w $T/new" /etc/hostname', "sed 'e touch \"$T/new\"' /etc/hostname", 'perl -pi -e s/keep/gone/ "$T/sentinel"',
  'perl -e "unlink shift" "$T/sentinel"', 'perl -e "open F, q(>), shift; print F 1" "$T/new"', 'perl -MFile::Path=rmtree -e "rmtree shift" "$T/sdir"', 'python3 -c "import os,sys; os.remove(sys.argv[1])" "$T/sentinel"', 'python3 -c "import sys; open(sys.argv[1], \'w\').write(\'x\')" "$T/sentinel"',
  'python3 -c "import shutil,sys; shutil.rmtree(sys.argv[1])" "$T/sdir"', 'python3 -c "import pathlib,sys; pathlib.Path(sys.argv[1]).touch()" "$T/new"', 'python3 -c "import os,sys; os.mkdir(sys.argv[1])" "$T/newdir"', 'python3 -c "import os,sys; os.rename(sys.argv[1], sys.argv[1]+\'2\')" "$T/sentinel"', 'python3 -c "import os,sys; os.chmod(sys.argv[1], 0)" "$T/sentinel"',
  'node -e "require(\'fs\').unlinkSync(process.argv[1])" "$T/sentinel"', 'node -e "require(\'fs\').writeFileSync(process.argv[1], \'x\')" "$T/new"', 'node -e "require(\'fs\').rmSync(process.argv[1], {recursive: true})" "$T/sdir"', 'node -e "require(\'child_process\').execSync(\'touch \' + process.argv[1])" "$T/new"', 'awk \'BEGIN{system("rm -f " ARGV[1])}\' "$T/sentinel"',
  'awk \'BEGIN{print "x" > ARGV[1]}\' "$T/sentinel"', 'awk \'BEGIN{print "x" | "tee " ARGV[1]}\' "$T/new"', 'awk -v f="$T/new" \'BEGIN{printf "x" >> f}\'', 'cp /etc/hostname "$T/sentinel"', 'cp /etc/hostname "$T/new"',
  'cp -r /etc/skel "$T/sdir/"', 'cp --remove-destination /etc/hostname "$T/sentinel"', 'mv "$T/sentinel" "$T/moved"', 'mv "$T/sdir" "$T/sdir2"', 'mv -f /etc/hostname "$T/x" 2>/dev/null; mv "$T/sentinel" /',
  'install -m 644 /etc/hostname "$T/new"', 'install -d "$T/newdir"', 'mkdir "$T/newdir"', 'mkdir -p "$T/a/b/c"', 'mkfifo "$T/fifo"',
  'ln -s /etc/passwd "$T/link"', 'ln "$T/sentinel" "$T/hard"', 'ln -sf /dev/null "$T/sentinel"', 'chmod 000 "$T/sentinel"', 'chmod -R 777 "$T/sdir"',
  'chown nobody "$T/sentinel"', 'chgrp nogroup "$T/sentinel"', 'setfacl -m u:nobody:rwx "$T/sentinel"', 'truncate -s 0 "$T/sentinel"', 'fallocate -l 4096 "$T/new"',
  'tar -cf "$T/new.tar" /etc/hostname', 'tar --create --file="$T/new.tar" /etc/hostname', 'tar -xf /dev/null -C "$T" ; tar -cf - /etc/hostname | tar -xf - -C "$T"', 'gzip "$T/sentinel"', 'gzip -c /etc/hostname > "$T/new.gz"',
  'zip -q "$T/new.zip" /etc/hostname', 'xxd /etc/hostname "$T/new"', 'sort -o "$T/sentinel" "$T/sentinel"', 'sort /etc/hostname -o "$T/new"', 'sort --compress-program=sh /etc/hostname > /dev/null; touch "$T/new"',
  'split -b 1 "$T/sentinel" "$T/part"', 'csplit -f "$T/part" "$T/sentinel" 1', 'uniq /etc/hostname "$T/new"', 'cat /etc/hostname > "$T/sentinel"', 'head -c 1 /etc/hostname > "$T/new"',
  'git -c core.fsmonitor="touch $T/new" status', 'git init -q "$T/repo"', 'git -C "$T" init -q', 'git diff --no-index --output="$T/new" /etc/hostname /etc/hosts', 'GIT_EXTERNAL_DIFF="touch $T/new" git diff --no-index /etc/hostname /etc/hosts',
  'git clone -q /nonexistent "$T/clone" 2>/dev/null; mkdir "$T/clone"', 'curl -s -o "$T/new" file:///etc/hostname', 'curl -s file:///etc/hostname --output "$T/sentinel"', 'curl -s --alt-svc "$T/new" file:///etc/hostname', 'curl -s --hsts "$T/new" file:///etc/hostname',
  'curl -s -c "$T/new" file:///etc/hostname', 'wget -q -O "$T/new" file:///etc/hostname 2>/dev/null; touch "$T/new"', 'wget -q -P "$T" http://127.0.0.1:9/ ; touch "$T/wget"', 'printf -v x "%s" y; echo x > "$T/new"', 'read "a[$(touch $T/new)]" <<< 1',
  'echo $(( a[$(touch $T/new)] ))', 'declare -i n; n="a[$(rm -f $T/sentinel)]"', 'PS4=\'$(touch $T/new)\'; set -x; true', 'trap "touch $T/new" EXIT', 'trap "rm -f $T/sentinel" RETURN; f() { :; }; f',
  'eval "touch $T/new"', 'bash -c "rm -f $T/sentinel"', 'sh -c "touch $T/new"', 'echo "rm -f $T/sentinel" | sh', 'source /dev/stdin <<< "touch $T/new"',
  '. <(echo "touch $T/new")', 'flock "$T/lock" true', 'flock -c "touch $T/new" /etc/hostname', 'script -q -c "touch $T/new" /dev/null', 'nohup touch "$T/new" > /dev/null 2>&1',
  'timeout 5 touch "$T/new"', 'nice touch "$T/new"', 'setsid touch "$T/new"', 'stdbuf -o0 touch "$T/new"', 'busybox touch "$T/new" 2>/dev/null || touch "$T/new"',
  'exec 3<>"$T/sentinel"; echo x >&3', 'echo x > /dev/fd/1 > "$T/new"', 'echo x >"$T/sentinel" 2>&1', 'cat <<EOF > "$T/new"\nx\nEOF', 'tee "$T/new" < /etc/hostname',
  'ed -s "$T/sentinel" <<< $\'1d\\nw\\nq\'', 'ex -sc "1d|x" -c "qa!" "$T/sentinel"', 'vim -es -c "1d" -c "wq" -c "qa!" "$T/sentinel"', 'patch "$T/sentinel" < /dev/null; echo x > "$T/sentinel"', 'diff /etc/hostname /etc/hosts > "$T/new"',
  'rsync -a /etc/hostname "$T/new"', 'rsync -a --delete /var/empty/ "$T/sdir/"', 'openssl rand -out "$T/new" 8', 'openssl genrsa -out "$T/new.key" 512 2>/dev/null', 'ssh-keygen -q -N "" -f "$T/new_key"',
  'sqlite3 "$T/new.db" "create table t(x)"', 'jq -n 1 > "$T/new"', 'yq -n 1 > "$T/new" 2>/dev/null || echo 1 > "$T/new"', 'base64 /etc/hostname > "$T/new"', 'mktemp -p "$T"',
  'mktemp -d -p "$T"', 'TMPDIR="$T" mktemp', 'logger x; touch "$T/new"', 'crontab -l > "$T/new" 2>&1', 'history -w "$T/new"',
  'HISTFILE="$T/new"; history -s x; history -w', 'ulimit -c unlimited; touch "$T/new"', 'umask 000; touch "$T/new"', 'cd "$T" && rm -f sentinel', 'pushd "$T" >/dev/null && touch new',
  'touch /etc/runproof-sandbox-test', 'rm -f /etc/hostname', 'echo x >> /etc/hosts', 'touch /root/runproof-sandbox-test', 'touch /var/tmp/runproof-sandbox-test',
  'mkdir /opt/runproof-sandbox-test', 'touch /usr/local/runproof-sandbox-test', 'touch /run/runproof-sandbox-test', 'touch "$HOME/runproof-sandbox-test"', 'mount -o remount,rw / && touch "$T/new"',
  'mount -t tmpfs none "$T" && touch "$T/new"', 'echo x > /proc/sys/kernel/hostname', 'hostname runproof-sandbox-test', 'unshare -m sh -c "mount -o remount,rw / && touch $T/new"', 'nsenter -t 1 -m touch "$T/new"',
  // Red team (redk): forms the classifier called read before they were fixed.
  'echo ${a[$(touch $T/new)]}', 'jobs -x touch "$T/new"', 'echo "$T/new" | xargs -I{} sh -c \'touch {}\'', 'curl -s -w "%output{$T/new}x" file:///etc/hostname; touch "$T/new"', 'uniq - "$T/new" < /etc/hostname',
  'sqlite3 :memory: "select writefile(\'$T/new\', \'x\')"', 'sqlite3 :memory: "select 1" ".shell touch $T/new"', 'sqlite3 :memory: ".output $T/new" "select 1"', 'for PATH in "$T"; do :; done; /usr/bin/touch "$T/new"', ': ${x:=$(touch "$T/new")}',
  'chroot / touch "$T/new"', 'sudo -n touch "$T/new"', 'su -c "touch $T/new" 2>/dev/null; touch "$T/new"', 'kill -9 1', 'dd if=/dev/zero of=/dev/shm/x count=1 2>/dev/null; touch "$T/new"',
];

export const SYSTEM_PLACES = ['/etc/runproof-sandbox-test', '/root/runproof-sandbox-test', '/var/tmp/runproof-sandbox-test', '/opt/runproof-sandbox-test', '/usr/local/runproof-sandbox-test', '/run/runproof-sandbox-test'];

export const BATCH = 10;

// Each form in a subshell, once with T set to the folder outside /tmp and once inside it. Stdin is
// /dev/null: a form that reads it (vim, su's password prompt) ends at once instead of waiting out the
// batch's timeout, which would also skip every form after it.
export function asSubshells(forms: string[]): string {
  return forms.flatMap((form) => [`(T="$OUT"\n${form}\n) </dev/null`, `(T="$IN"\n${form}\n) </dev/null`]).join('\n');
}

// The target folder: a sentinel file and a folder holding a file.
export function makeTarget(parent: string): string {
  const target = realpathSync(mkdtempSync(join(parent, 'rp-sandbox-target-')));
  writeFileSync(join(target, 'sentinel'), 'keep\n');
  mkdirSync(join(target, 'sdir'));
  writeFileSync(join(target, 'sdir', 'keep'), 'keep\n');
  return target;
}

export function snapshot(target: string): string {
  const rows: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const info = statSync(path);
      rows.push(`${path} ${info.mode} ${info.uid} ${info.size} ${info.mtimeMs} ${info.isFile() ? readFileSync(path, 'utf8') : ''}`);
      if (info.isDirectory()) walk(path);
    }
  };
  walk(target);
  return rows.join('\n');
}
