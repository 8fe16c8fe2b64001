#include "evidence/event.h"

static const char *const proto_names[] = { "unknown", "tcp", "udp", "icmp", "other" };
static const char *const kind_names[] = {
	"connection", "login-failure", "block", "http-request", "mail-reject", "spam", "alert", "other",
};

const char *event_proto_name(enum event_proto p)
{
	return (unsigned)p < sizeof(proto_names) / sizeof(proto_names[0]) ? proto_names[p] : "unknown";
}

const char *event_kind_name(enum event_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "other";
}
