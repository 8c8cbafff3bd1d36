/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of vtepctl share: the JSON reader (vtepctl_json.c), the telemetry socket
 * (lib/node/vtep_telc) and the word checks (vtepctl.c), the capture and monitor verbs
 * (vtepctl_watch.c), vtep-flannel's status (vtepctl_flannel.c).
 */
#ifndef VTEPCTL_H
#define VTEPCTL_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

/* One JSON value; members of an array or object are a list of kids. */
struct jnode {
	enum jtype type;
	char *key;          /* name inside an object */
	char *str;          /* J_STR text, J_NUM text */
	struct jnode *kids; /* J_ARR, J_OBJ members */
	struct jnode *next; /* sibling */
};

/* Parse a whole text; NULL if it is not one JSON value. */
struct jnode *json_parse(const char *text);
/* Free a value and its siblings. */
void json_free(struct jnode *n);
/* Member key of an object, or NULL. */
const struct jnode *jget(const struct jnode *obj, const char *key);
/* Text of member key ("" if none). */
const char *jstr(const struct jnode *obj, const char *key);
/* Print a value as JSON. */
void json_print(const struct jnode *n, FILE *f);

/* -j and -s. */
extern bool json_out, show_stats;
/* --file-prefix: the vtepd (and its vtep-flannel) to talk to. */
extern const char *file_prefix;

/* Connect to vtepd's telemetry socket; prints why not. @return 0 or -1. */
int connect_vtepd(void);
/*
 * Send one command; @return the value under its name, or NULL after printing vtepd's error.
 * The value lives until the next request.
 */
struct jnode *request(const char *cmd);
/* Print "vtepctl: WHAT 'VALUE'"; @return -1. */
int bad(const char *what, const char *value);
/* A VNI word; prints why not. @return 0 or -1. */
int check_vni(const char *s);

/* capture { start FILE [dev D] [vni N] [count N] | stop | show }. */
int capture(int argc, char **argv);
/* monitor [fdb]: follow FDB events until interrupted (or `count N` events, for tests). */
int monitor(int argc, char **argv);
/* flannel show [socket PATH]: vtep-flannel's status (vtepctl_flannel.c). */
int flannel(int argc, char **argv);

#endif /* VTEPCTL_H */
