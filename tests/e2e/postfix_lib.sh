# A private Postfix for the e2e tests: sourced, not run (by postfix_pipe.sh
# and serve_postfix.sh). Its configuration, queue and log live under one
# directory of the test's temp dir; it listens on a loopback port only.
#   postfix_private_init DIR HOSTNAME DOMAIN PORT
#     writes DIR/etc/main.cf (a private instance: loopback, no DNS-free
#     defaults beyond these, log to DIR/maillog, quick retries) and
#     DIR/etc/master.cf (smtpd on 127.0.0.1:PORT and the services a minimal
#     Postfix needs, lmtp among them); the caller appends its own lines to
#     both with postfix_private_main / postfix_private_master.
#   postfix_private_start DIR   starts it (prints its log on failure)
#   postfix_private_stop DIR    stops it; safe when it is not running
# Postfix's master runs as root: callers skip (77) without root.

postfix_private_init() {
  local dir=$1 host=$2 domain=$3 port=$4
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $host
mydomain = $domain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtputf8_enable = no
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 1s
CF
  cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
lmtp      unix  -       -       n       -       -       lmtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
}

# Appends stdin to main.cf / master.cf.
postfix_private_main() { cat >>"$1/etc/main.cf"; }
postfix_private_master() { cat >>"$1/etc/master.cf"; }

postfix_private_start() {
  postfix -c "$1/etc" start >"$1/start.log" 2>&1 || {
    cat "$1/start.log" "$1/maillog" 2>/dev/null
    echo "cannot start Postfix" >&2
    return 1
  }
}

postfix_private_stop() { postfix -c "$1/etc" stop >/dev/null 2>&1 || true; }
