# Shared set-up for the wheel tests (t3005, t4006; sourced after lib.sh
# and debian-lib.sh): the self-made wheels and OS packages of
# tests/fixtures/make-wheels.sh in $WF, and the Debian python3-minimal
# closure in $DEB.
export XDG_CACHE_HOME=$WORK/xdg-cache

set +e
bash "$GAPIMG_SRC/tests/fixtures/make-wheels.sh" "$WORK/wf" 2>"$WORK/make-wheels.log"
rc=$?
set -e
if [ $rc -eq 77 ]; then
	skip_all "$(tail -n 1 "$WORK/make-wheels.log")"
elif [ $rc -ne 0 ]; then
	echo "tests/fixtures/make-wheels.sh failed ($rc):"
	cat "$WORK/make-wheels.log"
	exit 1
fi
WF=$WORK/wf
DEB=$(mirror_for deb)
