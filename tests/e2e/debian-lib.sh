# Real Debian 12 package mirrors for the build tests (sourced after lib.sh).
# mirror_for NAME prints a mirror folder holding the NAME fixture's
# packages (deb or deb-base) from ../shared, or, without it, the same roots
# fetched with apt-get download (and says so on stderr).
FX=${GAPIMG_SHARED:-$GAPIMG_SRC/../shared}/fixtures

# mirror_for NAME: a mirror folder holding the NAME fixture's packages.
mirror_for() {
	local name=$1 roots dir=$WORK/mirror-$1
	if [ -d "$FX/$name/dists" ]; then
		(cd "$FX/$name" && pwd -P)
		return
	fi
	echo "note: no shared fixtures at $FX/$name; downloading the same roots with apt-get download" >&2
	case $name in
	deb) roots="busybox-static python3-minimal" ;;
	deb-base) roots="$(dpkg-query -W -f='${Package} ${Essential}\n' | awk '$2=="yes"{print $1}' | tr '\n' ' ') mawk python3-minimal busybox-static" ;;
	esac
	mkdir -p "$dir/pool/main" "$dir/dists/bookworm/main/binary-amd64"
	(cd "$dir/pool/main" && apt-get download -q $(apt-cache depends --recurse --no-recommends \
		--no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances $roots |
		grep -v '^[ <]' | sort -u) >/dev/null) || skip_case "apt-get download failed (no network to Debian's registry?)"
	apt_index "$dir"
	echo "$roots" | tr ' ' '\n' | grep . >"$dir/roots.txt"
	echo "$dir"
}


# apt_index DIR: Packages and an unsigned Release for DIR/pool/main
# (bookworm, main, amd64), made by apt-ftparchive.
apt_index() {
	mkdir -p "$1/dists/bookworm/main/binary-amd64"
	(cd "$1" && apt-ftparchive packages pool/main >dists/bookworm/main/binary-amd64/Packages &&
	 apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm \
		-o APT::FTPArchive::Release::Codename=bookworm \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		-o APT::FTPArchive::Release::Components=main release dists/bookworm >dists/bookworm/Release.new &&
	 mv dists/bookworm/Release.new dists/bookworm/Release)
}
