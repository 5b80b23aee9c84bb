#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "build/accounts.h"

/* base-passwd 3.6.1's /usr/share/base-passwd/{passwd,group}.master. */
static const char passwd_master[] =
	"root:*:0:0:root:/root:/bin/bash\n"
	"daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"bin:*:2:2:bin:/bin:/usr/sbin/nologin\n"
	"sys:*:3:3:sys:/dev:/usr/sbin/nologin\n"
	"sync:*:4:65534:sync:/bin:/bin/sync\n"
	"games:*:5:60:games:/usr/games:/usr/sbin/nologin\n"
	"man:*:6:12:man:/var/cache/man:/usr/sbin/nologin\n"
	"lp:*:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n"
	"mail:*:8:8:mail:/var/mail:/usr/sbin/nologin\n"
	"news:*:9:9:news:/var/spool/news:/usr/sbin/nologin\n"
	"uucp:*:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\n"
	"proxy:*:13:13:proxy:/bin:/usr/sbin/nologin\n"
	"www-data:*:33:33:www-data:/var/www:/usr/sbin/nologin\n"
	"backup:*:34:34:backup:/var/backups:/usr/sbin/nologin\n"
	"list:*:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\n"
	"irc:*:39:39:ircd:/run/ircd:/usr/sbin/nologin\n"
	"_apt:*:42:65534::/nonexistent:/usr/sbin/nologin\n"
	"nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char group_master[] =
	"root:*:0:\n"
	"daemon:*:1:\n"
	"bin:*:2:\n"
	"sys:*:3:\n"
	"adm:*:4:\n"
	"tty:*:5:\n"
	"disk:*:6:\n"
	"lp:*:7:\n"
	"mail:*:8:\n"
	"news:*:9:\n"
	"uucp:*:10:\n"
	"man:*:12:\n"
	"proxy:*:13:\n"
	"kmem:*:15:\n"
	"dialout:*:20:\n"
	"fax:*:21:\n"
	"voice:*:22:\n"
	"cdrom:*:24:\n"
	"floppy:*:25:\n"
	"tape:*:26:\n"
	"sudo:*:27:\n"
	"audio:*:29:\n"
	"dip:*:30:\n"
	"www-data:*:33:\n"
	"backup:*:34:\n"
	"operator:*:37:\n"
	"list:*:38:\n"
	"irc:*:39:\n"
	"src:*:40:\n"
	"shadow:*:42:\n"
	"utmp:*:43:\n"
	"video:*:44:\n"
	"sasl:*:45:\n"
	"plugdev:*:46:\n"
	"staff:*:50:\n"
	"games:*:60:\n"
	"users:*:100:\n"
	"nogroup:*:65534:\n";

/* Debian 12's systemd 252 sysusers.d files (comments dropped). */
static const char basic_conf[] =
	"g adm        4     -\n"
	"g tty        5     -\n"
	"g disk       6     -\n"
	"g man        12    -\n"
	"g kmem       15    -\n"
	"g dialout    20    -\n"
	"g fax        21    -\n"
	"g voice      22    -\n"
	"g cdrom      24    -\n"
	"g floppy     25    -\n"
	"g tape       26    -\n"
	"g sudo       27    -\n"
	"g audio      29    -\n"
	"g dip        30    -\n"
	"g operator   37    -\n"
	"g src        40    -\n"
	"g shadow     42    -\n"
	"g utmp       43    -\n"
	"g video      44    -\n"
	"g sasl       45    -\n"
	"g plugdev    46    -\n"
	"g staff      50    -\n"
	"g games      60    -\n"
	"g users      100   -\n"
	"g nogroup    65534 -\n"
	"u root       0       - /root                /bin/bash\n"
	"u daemon     1       - /usr/sbin            /usr/sbin/nologin\n"
	"u bin        2       - /bin                 /usr/sbin/nologin\n"
	"u sys        3       - /dev                 /usr/sbin/nologin\n"
	"u sync       4:65534 - /bin                 /bin/sync\n"
	"u games      5:60    - /usr/games           /usr/sbin/nologin\n"
	"u man        6:12    - /var/cache/man       /usr/sbin/nologin\n"
	"u lp         7       - /var/spool/lpd       /usr/sbin/nologin\n"
	"u mail       8       - /var/mail            /usr/sbin/nologin\n"
	"u news       9       - /var/spool/news      /usr/sbin/nologin\n"
	"u uucp       10      - /var/spool/uucp      /usr/sbin/nologin\n"
	"u proxy      13      - /bin                 /usr/sbin/nologin\n"
	"u www-data   33      - /var/www             /usr/sbin/nologin\n"
	"u backup     34      - /var/backups         /usr/sbin/nologin\n"
	"u list       38      - /var/list            /usr/sbin/nologin\n"
	"u irc        39      - /run/ircd            /usr/sbin/nologin\n"
	"u _apt       42:65534 - /nonexistent         /usr/sbin/nologin\n"
	"u nobody     65534:65534 - /nonexistent         /usr/sbin/nologin\n";
static const char dbus_conf[] =
	"u messagebus - \"System Message Bus\"\n";
static const char polkitd_conf[] =
	"u polkitd - \"polkit\" /nonexistent\n";
static const char journal_conf[] =
	"g systemd-journal - -\n";
static const char network_conf[] =
	"u systemd-network - \"systemd Network Management\"\n";
static const char timesync_conf[] =
	"u systemd-timesync - \"systemd Time Synchronization\"\n";

/* 2023-11-14T22:13:20Z: day 19675. */
#define EPOCH 1700000000

static struct accounts *debian_base(void)
{
	struct accounts *a = accounts_new();
	struct gapimg_error err;

	assert_non_null(a);
	assert_int_equal(accounts_load(a, "passwd", passwd_master,
				       strlen(passwd_master),
				       "base-passwd 3.6.1: passwd.master", &err), 0);
	assert_int_equal(accounts_load(a, "group", group_master,
				       strlen(group_master),
				       "base-passwd 3.6.1: group.master", &err), 0);
	return a;
}

static void add_su(struct accounts *a, const char *path, const char *text)
{
	struct gapimg_error err;

	assert_int_equal(accounts_add_sysusers(a, path, text, strlen(text),
					       path, &err), 0);
}

/* The text of one file; "" and !present when the file is not made. */
static char *format(const struct accounts *a, const char *which,
		    int *present)
{
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error err;
	int p = -1;

	assert_int_equal(accounts_format(a, which, EPOCH, &sb, &p, &err), 0);
	if (present)
		*present = p;
	else
		assert_int_equal(p, 1);
	strbuf_addstr(&sb, "");
	return strbuf_detach(&sb);
}

/* file must be prefix followed by exactly tail. */
static void check_file(const struct accounts *a, const char *which,
		       const char *prefix, const char *tail)
{
	char *got = format(a, which, NULL);
	size_t pl = strlen(prefix);

	assert_true(strlen(got) >= pl);
	assert_memory_equal(got, prefix, pl);
	assert_string_equal(got + pl, tail);
	free(got);
}

static void check_err(int ret, const struct gapimg_error *err,
		      enum gapimg_status code, const char *msg)
{
	assert_int_equal(ret, -1);
	assert_int_equal(err->code, code);
	assert_string_equal(err->msg, msg);
}

/*
 * The expected bytes are what systemd-sysusers 252 wrote for the same
 * input (SOURCE_DATE_EPOCH=1700000000 systemd-sysusers --root=R), with
 * the recipe's entries added to R's files first.
 */
static void test_debian_base_image(void **state)
{
	static const char *const app_groups[] = { "audio", "adm" };
	struct accounts *a = debian_base();
	struct gapimg_error err;
	uint32_t id;
	int present;
	char *s;

	(void)state;
	assert_int_equal(accounts_add_group(a, "appdata", 2100, "recipe:3", &err), 0);
	assert_int_equal(accounts_add_user(a, "app", 2000, NULL, app_groups, 2,
					   "/srv/app", "/bin/sh", "App user",
					   "recipe:4", &err), 0);
	assert_int_equal(accounts_add_user(a, "worker", 2001, "appdata", NULL, 0,
					   NULL, NULL, NULL, "recipe:5", &err), 0);
	/* Added out of order on purpose: files are taken by name. */
	add_su(a, "/usr/lib/sysusers.d/systemd-timesync.conf", timesync_conf);
	add_su(a, "/usr/lib/sysusers.d/polkitd.conf", polkitd_conf);
	add_su(a, "/usr/lib/sysusers.d/systemd-network.conf", network_conf);
	add_su(a, "/usr/lib/sysusers.d/basic.conf", basic_conf);
	add_su(a, "/usr/lib/sysusers.d/systemd-journal.conf", journal_conf);
	add_su(a, "/usr/lib/sysusers.d/dbus.conf", dbus_conf);
	assert_int_equal(accounts_apply_sysusers(a, &err), 0);

	check_file(a, "passwd", passwd_master,
		   "app:x:2000:2000:App user:/srv/app:/bin/sh\n"
		   "worker:x:2001:2100::/:/usr/sbin/nologin\n"
		   "messagebus:x:998:998:System Message Bus:/:/usr/sbin/nologin\n"
		   "polkitd:x:997:997:polkit:/nonexistent:/usr/sbin/nologin\n"
		   "systemd-network:x:996:996:systemd Network Management:/:"
		   "/usr/sbin/nologin\n"
		   "systemd-timesync:x:995:995:systemd Time Synchronization:/:"
		   "/usr/sbin/nologin\n");
	s = format(a, "group", NULL);
	/* Supplementary groups rewrite only the member field. */
	assert_non_null(strstr(s, "\nadm:*:4:app\n"));
	assert_non_null(strstr(s, "\naudio:*:29:app\n"));
	free(s);
	s = format(a, "group", NULL);
	{
		/* Everything else is the master file, then the new groups. */
		const char *tail =
			"appdata:x:2100:\n"
			"app:x:2000:\n"
			"systemd-journal:x:999:\n"
			"messagebus:x:998:\n"
			"polkitd:x:997:\n"
			"systemd-network:x:996:\n"
			"systemd-timesync:x:995:\n";
		size_t ml = strlen(group_master) + 2 * strlen("app");

		assert_int_equal(strlen(s), ml + strlen(tail));
		assert_string_equal(s + ml, tail);
	}
	free(s);
	s = format(a, "shadow", &present);
	assert_int_equal(present, 1);
	assert_string_equal(s,
			    "app:!*:19675::::::\n"
			    "worker:!*:19675::::::\n"
			    "messagebus:!*:19675::::::\n"
			    "polkitd:!*:19675::::::\n"
			    "systemd-network:!*:19675::::::\n"
			    "systemd-timesync:!*:19675::::::\n");
	free(s);
	s = format(a, "gshadow", &present);
	assert_int_equal(present, 1);
	assert_string_equal(s,
			    "appdata:!*::\n"
			    "app:!*::\n"
			    "systemd-journal:!*::\n"
			    "messagebus:!*::\n"
			    "polkitd:!*::\n"
			    "systemd-network:!*::\n"
			    "systemd-timesync:!*::\n");
	free(s);

	assert_int_equal(accounts_uid(a, "polkitd", &id), 0);
	assert_int_equal(id, 997);
	assert_int_equal(accounts_uid(a, "_apt", &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(accounts_gid(a, "systemd-journal", &id), 0);
	assert_int_equal(id, 999);
	assert_int_equal(accounts_gid(a, "nogroup", &id), 0);
	assert_int_equal(id, 65534);
	assert_int_equal(accounts_uid(a, "nosuch", &id), -1);
	assert_int_equal(accounts_gid(a, "nosuch", &id), -1);
	accounts_free(a);
}

/* Every rule of systemd-sysusers' id allocation that one file can show;
 * expected bytes from systemd-sysusers 252 on the same input. */
static const char alloc_conf[] =
	"g grp999 999\n"
	"u a500 500 \"A five hundred\" /home/a /bin/sh\n"
	"u b - \"B user\"\n"
	"u c 998:adm\n"
	"u d -:adm\n"
	"g e -\n"
	"u e -\n"
	"m d staff\n"
	"m newu newg\n"
	"u f 999\n"
	"r - 900-950\n"
	"u g 0\n";

static void test_allocation(void **state)
{
	struct accounts *a = debian_base();
	struct gapimg_error err;
	char *s;

	(void)state;
	add_su(a, "/usr/lib/sysusers.d/t.conf", alloc_conf);
	add_su(a, "/usr/lib/sysusers.d/basic.conf", basic_conf);
	assert_int_equal(accounts_apply_sysusers(a, &err), 0);
	check_file(a, "passwd", passwd_master,
		   /* uid = gid when both are free */
		   "a500:x:500:500:A five hundred:/home/a:/bin/sh\n"
		   /* 'r' limits allocation to 900-950, downwards */
		   "b:x:948:948:B user:/:/usr/sbin/nologin\n"
		   /* uid:group uses the group, creates none */
		   "c:x:998:4::/:/usr/sbin/nologin\n"
		   "d:x:947:4::/:/usr/sbin/nologin\n"
		   /* a 'g' line of the same name gives the gid, uid follows */
		   "e:x:950:950::/:/usr/sbin/nologin\n"
		   /* 999 is grp999's gid, 0 is root's: both allocated */
		   "f:x:946:946::/:/usr/sbin/nologin\n"
		   "g:x:945:945::/:/usr/sbin/nologin\n"
		   /* users named only on 'm' lines come last */
		   "newu:x:944:944::/:/usr/sbin/nologin\n");
	s = format(a, "group", NULL);
	assert_non_null(strstr(s, "\nstaff:*:50:d\n"));
	assert_string_equal(s + strlen(group_master) + 1,
			    "grp999:x:999:\n"
			    "e:x:950:\n"
			    "newg:x:949:newu\n"
			    "a500:x:500:\n"
			    "b:x:948:\n"
			    "f:x:946:\n"
			    "g:x:945:\n"
			    "newu:x:944:\n");
	free(s);
	s = format(a, "shadow", NULL);
	assert_string_equal(s,
			    "a500:!*:19675::::::\n"
			    "b:!*:19675::::::\n"
			    "c:!*:19675::::::\n"
			    "d:!*:19675::::::\n"
			    "e:!*:19675::::::\n"
			    "f:!*:19675::::::\n"
			    "g:!*:19675::::::\n"
			    "newu:!*:19675::::::\n");
	free(s);
	s = format(a, "gshadow", NULL);
	assert_string_equal(s,
			    "grp999:!*::\n"
			    "e:!*::\n"
			    "newg:!*::newu\n"
			    "a500:!*::\n"
			    "b:!*::\n"
			    "f:!*::\n"
			    "g:!*::\n"
			    "newu:!*::\n");
	free(s);
	accounts_free(a);
}

static void test_more_allocation_rules(void **state)
{
	static const struct {
		const char *conf, *passwd, *group;
	} cases[] = {
		/* gid 65534 exists: used as is */
		{ "u h 800:65534\n", "h:x:800:65534::/:/usr/sbin/nologin\n", "" },
		/* uid:group keeps the uid even if a new group has it */
		{ "g x 900\nu y 900:adm\n", "y:x:900:4::/:/usr/sbin/nologin\n",
		  "x:x:900:\n" },
		/* an existing user still gets its missing group */
		{ "u sync -\nu lp 7:7\n", "", "sync:x:999:\n" },
		/* 100 is the gid of "users": neither id may be 100 */
		{ "u nn 100\n", "nn:x:999:999::/:/usr/sbin/nologin\n", "nn:x:999:\n" },
		{ "u hh -:820\ng zz 820\n", "hh:x:999:820::/:/usr/sbin/nologin\n",
		  "zz:x:820:\n" },
		{ "u jj 999\ng kk -\n", "jj:x:998:998::/:/usr/sbin/nologin\n",
		  "kk:x:999:\njj:x:998:\n" },
		/* specifiers, quotes, uid 0's default shell */
		{ "u %T%%x 0\n", "", "" },
		{ "u 'q q' -\n", NULL, NULL },
		{ "u sp - \"%T \\\"x\\\"\" %V\n",
		  "sp:x:999:999:/tmp \"x\":/var/tmp:/usr/sbin/nologin\n",
		  "sp:x:999:\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct accounts *a = debian_base();
		struct gapimg_error err;
		int r;

		r = accounts_add_sysusers(a, "/etc/sysusers.d/x.conf", cases[i].conf,
					  strlen(cases[i].conf), "x.conf", &err);
		if (cases[i].passwd == NULL) {
			assert_int_equal(r, -1);
			accounts_free(a);
			continue;
		}
		if (strchr(cases[i].conf, '%') && cases[i].passwd[0] == '\0') {
			/* "%T%%x" expands to "/tmp%x": not a valid name. */
			check_err(r, &err, GAPIMG_E_INVALID,
				  "x.conf:1: \"/tmp%x\" is not a valid user or "
				  "group name");
			accounts_free(a);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(accounts_apply_sysusers(a, &err), 0);
		check_file(a, "passwd", passwd_master, cases[i].passwd);
		check_file(a, "group", group_master, cases[i].group);
		accounts_free(a);
	}
}

static void test_precedence_and_order(void **state)
{
	static const char *const paths[3] = {
		"/usr/lib/sysusers.d/a.conf", "/etc/sysusers.d/a.conf",
		"/run/sysusers.d/b.conf",
	};
	static const char *const texts[3] = {
		"u fromusr -\n", "u frometc -\n", "u fromrun -\n",
	};
	static const int orders[2][3] = { { 0, 1, 2 }, { 2, 1, 0 } };
	int o, i, present;

	(void)state;
	for (o = 0; o < 2; o++) {
		struct accounts *a = accounts_new();
		struct gapimg_error err;
		char *s;

		for (i = 0; i < 3; i++)
			add_su(a, paths[orders[o][i]], texts[orders[o][i]]);
		/* Not a .conf file: ignored, as systemd does. */
		add_su(a, "/usr/lib/sysusers.d/README", "garbage");
		assert_int_equal(accounts_apply_sysusers(a, &err), 0);
		/* /etc/sysusers.d/a.conf hides /usr/lib's; a before b. */
		s = format(a, "passwd", &present);
		assert_int_equal(present, 1);
		assert_string_equal(s,
				    "frometc:x:999:999::/:/usr/sbin/nologin\n"
				    "fromrun:x:998:998::/:/usr/sbin/nologin\n");
		free(s);
		accounts_free(a);
	}
}

static void test_absent_files(void **state)
{
	struct accounts *a = debian_base();
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error err;
	int present = -1;

	(void)state;
	assert_int_equal(accounts_apply_sysusers(a, &err), 0);
	assert_int_equal(accounts_format(a, "shadow", EPOCH, &sb, &present, &err), 0);
	assert_int_equal(present, 0);
	assert_int_equal(sb.len, 0);
	assert_int_equal(accounts_format(a, "gshadow", EPOCH, &sb, &present, &err), 0);
	assert_int_equal(present, 0);
	/* Loaded files come back byte for byte. */
	assert_int_equal(accounts_format(a, "passwd", EPOCH, &sb, &present, &err), 0);
	assert_int_equal(present, 1);
	assert_string_equal(sb.buf, passwd_master);
	strbuf_release(&sb);
	accounts_free(a);
}

static void test_load_keeps_bytes_and_members(void **state)
{
	static const char group[] =
		"# local groups\n"
		"\n"
		"adm:x:4:syslog,alice\n"
		"wheel:x:10:";
	static const char gshadow[] =
		"adm:*::syslog,alice\n"
		"wheel:*::\n";
	static const char *const g[] = { "wheel", "adm" };
	struct accounts *a = accounts_new();
	struct gapimg_error err;
	char *s;

	(void)state;
	assert_int_equal(accounts_load(a, "group", group, strlen(group), "setup",
				       &err), 0);
	assert_int_equal(accounts_load(a, "gshadow", gshadow, strlen(gshadow),
				       "setup", &err), 0);
	assert_int_equal(accounts_add_user(a, "bob", 1000, "wheel", g, 2, "/home/bob",
					   "/bin/bash", "Bob", "recipe:1", &err), 0);
	s = format(a, "group", NULL);
	/* New members make the list sorted, as systemd-sysusers does; the
	 * missing final newline is added. */
	assert_string_equal(s,
			    "# local groups\n"
			    "\n"
			    "adm:x:4:alice,bob,syslog\n"
			    "wheel:x:10:bob\n");
	free(s);
	s = format(a, "gshadow", NULL);
	assert_string_equal(s, "adm:*::alice,bob,syslog\nwheel:*::bob\n");
	free(s);
	s = format(a, "passwd", NULL);
	assert_string_equal(s, "bob:x:1000:10:Bob:/home/bob:/bin/bash\n");
	free(s);
	accounts_free(a);
}

static void test_recipe_clashes(void **state)
{
	static const char *const nosuch[] = { "nosuch" };
	struct accounts *a = debian_base();
	struct strbuf sb = STRBUF_INIT;
	struct gapimg_error err;
	int present;

	(void)state;
	/* Same name, same id: fine, and no second line. */
	assert_int_equal(accounts_add_group(a, "staff", 50, "recipe:1", &err), 0);
	assert_int_equal(accounts_add_user(a, "www-data", 33, NULL, NULL, 0, NULL,
					   NULL, NULL, "recipe:2", &err), 0);
	check_file(a, "passwd", passwd_master, "");
	check_file(a, "group", group_master, "");

	check_err(accounts_add_group(a, "staff", 51, "recipe:3", &err), &err,
		  GAPIMG_E_EXISTS,
		  "recipe:3: group \"staff\" is to have gid 51, but it already "
		  "exists with gid 50 (from base-passwd 3.6.1: group.master:35)");
	check_err(accounts_add_group(a, "mystaff", 50, "recipe:4", &err), &err,
		  GAPIMG_E_EXISTS,
		  "recipe:4: gid 50 of group \"mystaff\" is already used by "
		  "group \"staff\" (from base-passwd 3.6.1: group.master:35)");
	check_err(accounts_add_user(a, "man", 1006, NULL, NULL, 0, NULL, NULL,
				    NULL, "recipe:5", &err), &err, GAPIMG_E_EXISTS,
		  "recipe:5: user \"man\" is to have uid 1006, but it already "
		  "exists with uid 6 (from base-passwd 3.6.1: passwd.master:7)");
	check_err(accounts_add_user(a, "mailer", 8, NULL, NULL, 0, NULL, NULL,
				    NULL, "recipe:6", &err), &err, GAPIMG_E_EXISTS,
		  "recipe:6: uid 8 of user \"mailer\" is already used by user "
		  "\"mail\" (from base-passwd 3.6.1: passwd.master:9)");
	/* gid = uid is taken by another group. */
	check_err(accounts_add_user(a, "cd", 24, NULL, NULL, 0, NULL, NULL, NULL,
				    "recipe:7", &err), &err, GAPIMG_E_EXISTS,
		  "recipe:7: gid 24 of group \"cd\" is already used by group "
		  "\"cdrom\" (from base-passwd 3.6.1: group.master:18)");
	check_err(accounts_add_user(a, "x:y", 3000, NULL, NULL, 0, NULL, NULL,
				    NULL, "recipe:8", &err), &err, GAPIMG_E_INVALID,
		  "recipe:8: the name of \"x:y\" (\"x:y\") contains ':' or a "
		  "newline, which /etc/passwd and /etc/group cannot hold");

	/* Unknown groups are found when the files are written. */
	assert_int_equal(accounts_add_user(a, "late", 3001, "later", nosuch, 1,
					   NULL, NULL, NULL, "recipe:9", &err), 0);
	check_err(accounts_format(a, "passwd", EPOCH, &sb, &present, &err), &err,
		  GAPIMG_E_NOTFOUND,
		  "recipe:9: the primary group \"later\" of user \"late\" does "
		  "not exist; declare it in the recipe");
	assert_int_equal(accounts_add_group(a, "later", 3005, "recipe:10", &err), 0);
	check_err(accounts_format(a, "group", EPOCH, &sb, &present, &err), &err,
		  GAPIMG_E_NOTFOUND,
		  "recipe:9: user \"late\" is to be a member of group \"nosuch\", "
		  "which does not exist; declare it in the recipe");
	assert_int_equal(accounts_add_group(a, "nosuch", 3006, "recipe:11", &err), 0);
	check_file(a, "passwd", passwd_master,
		   "late:x:3001:3005::/:/usr/sbin/nologin\n");
	check_file(a, "group", group_master,
		   "later:x:3005:\nnosuch:x:3006:late\n");
	strbuf_release(&sb);
	accounts_free(a);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *which, *text, *msg;
	} cases[] = {
		{ "passwd", "root:x:0:0:root:/root:/bin/sh\nbad:x:1:1\n",
		  "f:2: malformed passwd line \"bad:x:1:1\": expected 7 fields "
		  "separated by ':', found 4" },
		{ "passwd", "a:x:1x:1:::\n",
		  "f:1: malformed passwd line \"a:x:1x:1:::\": uid \"1x\" is not "
		  "a decimal number" },
		{ "passwd", "a:x:1:-1:::\n",
		  "f:1: malformed passwd line \"a:x:1:-1:::\": gid \"-1\" is not "
		  "a decimal number" },
		{ "group", ":x:1:\n",
		  "f:1: malformed group line \":x:1:\": the name is empty" },
		{ "group", "a:x:1:\nb:x:2:\na:x:3:\n",
		  "f:3: group entry \"a\" appears twice (first at f:1)" },
		{ "shadow", "a:!:1:::::\n",
		  "f:1: malformed shadow line \"a:!:1:::::\": expected 9 fields "
		  "separated by ':', found 8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct accounts *a = accounts_new();
		struct gapimg_error err;

		check_err(accounts_load(a, cases[i].which, cases[i].text,
					strlen(cases[i].text), "f", &err), &err,
			  GAPIMG_E_INVALID, cases[i].msg);
		accounts_free(a);
	}
}

static void test_sysusers_errors(void **state)
{
	static const struct {
		const char *text, *msg;
		enum gapimg_status code;
		int at_apply;
	} cases[] = {
		{ "u a%b -\n", "s.conf:1: specifier %b in \"a%b\" is not "
		  "supported: gapimg only expands %%, %T and %V, as other "
		  "specifiers depend on the machine the image runs on",
		  GAPIMG_E_UNSUPPORTED, 0 },
		{ "# c\n\nu ok -\nu x - %m\n", "s.conf:4: specifier %m in \"%m\" "
		  "is not supported: gapimg only expands %%, %T and %V, as other "
		  "specifiers depend on the machine the image runs on",
		  GAPIMG_E_UNSUPPORTED, 0 },
		{ "u x - 50%\n", "s.conf:1: \"50%\" ends with a lone '%'; write "
		  "%% for a percent sign", GAPIMG_E_INVALID, 0 },
		{ "x foo\n", "s.conf:1: unknown line type \"x\": systemd 252 knows "
		  "u, g, m and r", GAPIMG_E_INVALID, 0 },
		{ "u! foo\n", "s.conf:1: unknown line type \"u!\": systemd 252 "
		  "knows u, g, m and r", GAPIMG_E_INVALID, 0 },
		{ "u foo 1 2 3 4 5\n", "s.conf:1: trailing garbage after the "
		  "last field", GAPIMG_E_INVALID, 0 },
		{ "u \"foo\n", "s.conf:1: unbalanced quotes", GAPIMG_E_INVALID, 0 },
		{ "u 9x -\n", "s.conf:1: \"9x\" is not a valid user or group name",
		  GAPIMG_E_INVALID, 0 },
		{ "u x 65535\n", "s.conf:1: invalid uid \"65535\"",
		  GAPIMG_E_INVALID, 0 },
		{ "g x - desc\n", "s.conf:1: lines of type 'g' take no "
		  "description, home or shell", GAPIMG_E_INVALID, 0 },
		{ "r - 10-5\n", "s.conf:1: lines of type 'r' take one id range, "
		  "like \"r - 500-900\"", GAPIMG_E_INVALID, 0 },
		{ "m x\n", "s.conf:1: lines of type 'm' take a user and a group "
		  "name", GAPIMG_E_INVALID, 0 },
		{ "u gg 810:810\n", "s.conf:1: no group has gid 810 for user "
		  "\"gg\"; declare the group (systemd-sysusers: \"please create "
		  "GID 810\")", GAPIMG_E_INVALID, 1 },
		{ "u ii -:nosuch\n", "s.conf:1: group \"nosuch\" of user \"ii\" "
		  "does not exist", GAPIMG_E_INVALID, 1 },
		{ "r - 999\nu a -\nu b -\n", "s.conf:3: no free group id left "
		  "for \"b\" in the allocation range", GAPIMG_E_INVALID, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct accounts *a = debian_base();
		struct gapimg_error err;
		int r;

		r = accounts_add_sysusers(a, "/usr/lib/sysusers.d/s.conf",
					  cases[i].text, strlen(cases[i].text),
					  "s.conf", &err);
		if (cases[i].at_apply) {
			assert_int_equal(r, 0);
			r = accounts_apply_sysusers(a, &err);
		}
		check_err(r, &err, cases[i].code, cases[i].msg);
		accounts_free(a);
	}
	{
		struct accounts *a = accounts_new();
		struct gapimg_error err;

		check_err(accounts_add_sysusers(a, "/opt/sysusers.d/x.conf", "", 0,
						"pkg: x.conf", &err), &err,
			  GAPIMG_E_INVALID,
			  "pkg: x.conf: /opt/sysusers.d/x.conf is not in a directory "
			  "systemd-sysusers reads (/etc/sysusers.d, /run/sysusers.d, "
			  "/usr/local/lib/sysusers.d, /usr/lib/sysusers.d)");
		accounts_free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_base_image),
		cmocka_unit_test(test_allocation),
		cmocka_unit_test(test_more_allocation_rules),
		cmocka_unit_test(test_precedence_and_order),
		cmocka_unit_test(test_absent_files),
		cmocka_unit_test(test_load_keeps_bytes_and_members),
		cmocka_unit_test(test_recipe_clashes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sysusers_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
