#!/usr/bin/env bash
# gapimg build with 'scripts run' on self-made signed RPMs
# (tests/fixtures/make-script-rpms.sh): a static busybox as /bin/sh, %pre
# making a user, %post chowning to it, a file trigger seeing the files of
# later packages; then failing, networked and slow scriptlets; and the same
# image built by an unprivileged user through subordinate ids.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
# libsolv's key reader leaks (tests/lsan.supp); the suppression needs
# whole stacks under ASan.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

is_root || skip_all "the sandbox for package scripts needs root, or a user with subordinate ids to switch to (this test sets one up as root)"
rc=0
bash "$GAPIMG_SRC/tests/fixtures/make-script-rpms.sh" "$WORK/fx" >"$WORK/fx.log" 2>&1 || rc=$?
[ $rc -eq 77 ] && skip_all "$(tail -1 "$WORK/fx.log")"
[ $rc -eq 0 ] || { cat "$WORK/fx.log"; exit 1; }
F=$WORK/fx
PORT=18765   # net-post's %post reaches for 127.0.0.1:18765

recipe() {   # FILE PACKAGES...
	local f=$1
	shift
	{
		printf 'image rs\nversion 1\narch x86_64\nepoch 1700000000\nscripts run\n'
		echo "mirror m rpm-md $F/rpm key=$F/keys/rpm.asc"
		echo "install $*"
		echo 'remove /usr/share/doc/**'
		echo 'dir /srv/svc mode=0700 owner=svc group=svc'
	} >"$f"
}

t_scriptlets() {
	mkdir -p "$WORK/a/out" && cd "$WORK/a"
	recipe r.recipe sh-static scripted trigger-watch watched-a watched-b
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache -o out/rs.sqfs r.recipe)" "build: $(cat "$WORK/.stderr")"
	rm -rf root && unsquashfs -q -n -d root out/rs.sqfs >/dev/null
	# %pre made the user, %post gave it a file, both saw "1" (install).
	expect_eq "svc:x:990:990:scripted service:/var/lib/scripted:/usr/bin/false" "$(grep '^svc:' root/etc/passwd)" "user from %pre"
	expect_eq "pre 1" "$(cat root/var/lib/scripted/pre-ran)" "%pre"
	# the recipe's folder belongs to the user the %pre made
	expect_eq "700 990:990" "$(stat -c '%a %u:%g' root/srv/svc)" "/srv/svc"
	expect_eq "post 1" "$(cat root/var/lib/scripted/post-ran)" "%post"
	expect_eq "990:990 0:0" "$(stat -c %u:%g root/var/lib/scripted/post-ran) $(stat -c %u:%g root/var/lib/scripted/pre-ran)" "owners"
	# The file trigger ran once per watched package, in rpm's order.
	expect_eq "/usr/share/watched/b.txt
/usr/share/watched/a.txt" "$(cat root/var/lib/trigger-watch/seen)" "file trigger"
	expect_eq "rpmdb.sqlite" "$(ls -A root/var/lib/rpm)" "rpmdb only"
	expect_eq "scripted-1.0-1.noarch
sh-static-1.0-1.x86_64
trigger-watch-1.0-1.noarch
watched-a-1.0-1.noarch
watched-b-1.0-1.noarch" "$(rpm --root="$PWD/root" --dbpath=/var/lib/rpm -qa | sort)" "rpm -qa"
	expect_eq "/var/lib/rpm/.rpm.lock removed
/var/lib/rpm/rpmdb.sqlite-shm removed
/var/lib/rpm/rpmdb.sqlite-wal removed" "$(jq -r '.normalised[] | .path + " " + .action' out/rs.manifest.json)" "normalised"
	# rpm installed them, yet the licences come from the headers gapimg
	# verified (the fixtures' License: MIT)
	expect_eq "scripted MIT
sh-static MIT
trigger-watch MIT
watched-a MIT
watched-b MIT" "$(jq -r '.packages[] | .name + " " + .license' out/rs.manifest.json | sort)" "licences"
	# scriptlets ran with the sandbox's environment and host name
	expect_eq "" "$(find root/tmp root/run -mindepth 1)" "nothing left in /tmp or /run"
}
test_case "%pre, %post and a file trigger run; owners, rpmdb and trigger output are right" t_scriptlets

t_reproducible() {
	mkdir -p "$WORK/b/out" && cd "$WORK/b"
	cp "$WORK/a/r.recipe" "$WORK/a/r.lock" .
	(umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 "$GAPIMG" build -q --threads 1 --no-cache -o out/rs.sqfs r.recipe)
	expect_eq "$(sha "$WORK/a/out/rs.sqfs")" "$(sha out/rs.sqfs)" "image bytes"
	expect_eq "$(sha "$WORK/a/out/rs.manifest.json")" "$(sha out/rs.manifest.json)" "manifest bytes"
}
test_case "scriptlets run twice under other umask/TZ/locale/threads: identical bytes" t_reproducible

refused() {   # NAME PACKAGE [OPTIONS]
	local d=$WORK/$1 pkg=$2
	shift 2
	mkdir -p "$d/out" && cd "$d"
	recipe r.recipe sh-static "$pkg"
	expect_eq 1 "$(run_status "$GAPIMG" build -q --no-cache "$@" -o out/rs.sqfs r.recipe)" "status"
	[ ! -e out/rs.sqfs ] && [ -z "$(ls -A out)" ]
}

t_failing() {
	refused fail failing-post
	expect_eq "gapimg build: error: package failing-post 1.0-1: its %post failed with exit status 3; nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -qx '    failing-post: giving up' "$WORK/.stderr"
	grep -qx '    warning: %post(failing-post-1.0-1.noarch) scriptlet failed, exit status 3' "$WORK/.stderr"
}
test_case "a failing %post stops the build (rpm itself only warns)" t_failing

t_network() {
	start_listener "$PORT" "$WORK/connections"
	trap "kill $LISTENER 2>/dev/null || true" EXIT
	# busybox on the host reaches the listener: the test can fail.
	bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"
	for _ in $(seq 50); do [ -s "$WORK/connections" ] && break; sleep 0.1; done
	expect_eq "connection" "$(cat "$WORK/connections")" "reachable from the host"
	: >"$WORK/connections"
	refused net net-post
	kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null || true
	expect_eq "gapimg build: error: package net-post 1.0-1: its %post failed with exit status 4; nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -qx '    net-post: no network' "$WORK/.stderr"
	expect_eq "" "$(cat "$WORK/connections")" "no connection reached the host"
}
test_case "a scriptlet that reaches for the network fails in the sandbox" t_network

t_timeout() {
	refused slow slow-post --script-timeout 2
	expect_eq "gapimg build: error: package slow-post 1.0-1: its %post was stopped after running longer than 2 s (the time limit for one script); nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -qx '    slow-post: sleeping' "$WORK/.stderr"
}
test_case "a scriptlet over the time limit is killed and named" t_timeout

# Unprivileged: nobody, with a subordinate id range this test adds (and
# takes away again).
t_unprivileged() {
	command -v newuidmap >/dev/null || skip_case "newuidmap is not installed (uidmap package)"
	cp /etc/subuid "$WORK/subuid.bak" 2>/dev/null || : >"$WORK/subuid.bak"
	cp /etc/subgid "$WORK/subgid.bak" 2>/dev/null || : >"$WORK/subgid.bak"
	trap 'cp "$WORK/subuid.bak" /etc/subuid; cp "$WORK/subgid.bak" /etc/subgid' EXIT
	mkdir -p "$WORK/u/out" && cd "$WORK/u"
	cp "$WORK/a/r.recipe" "$WORK/a/r.lock" .
	chown -R nobody "$WORK/u"
	chmod o+rx "$WORK" "$WORK/fx" 2>/dev/null || true
	# Without a range: a clear error, nothing written.
	grep -v '^nobody:' "$WORK/subuid.bak" >/etc/subuid || true
	expect_eq 1 "$(run_status setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$WORK/u" "$GAPIMG" build -q --no-cache -o out/rs.sqfs r.recipe)" "status without subordinate ids"
	grep -q "^gapimg build: error: running package scripts without root needs subordinate ids for uid 65534 in /etc/subuid and /etc/subgid" "$WORK/.stderr"
	usermod --add-subuids 300000-365535 --add-subgids 300000-365535 nobody
	expect_eq 0 "$(run_status setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$WORK/u" "$GAPIMG" build -q --no-cache -o out/rs.sqfs r.recipe)" "build as nobody: $(cat "$WORK/.stderr")"
	expect_eq "$(sha "$WORK/a/out/rs.sqfs")" "$(sha out/rs.sqfs)" "the same bytes as root's"
}
test_case "an unprivileged user with subordinate ids builds the same bytes" t_unprivileged

finish
