/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the configuration parser: the input is split into words at NUL bytes and
 * whitespace and given to vtep_conf_parse_args as a command line, then written to a file and
 * read back with vtep_conf_parse_file; every accepted configuration is validated. Any outcome
 * but a crash, a sanitizer report or an unterminated message is fine. Inputs naming `config`
 * are skipped: they would read whatever file they name. Built for libFuzzer with -Dfuzz=true;
 * otherwise fuzz_replay.c replays the files given on the command line (tests/fuzz/regress_conf).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_replay.h"
#include "vtep_conf.h"


#define MAX_WORDS 64

static char path[64];

static void
check_message(const char *err, int rc)
{
	if (memchr(err, '\0', VTEP_CONF_ERR_SIZE) == NULL)
		abort();
	if (rc < 0 && err[0] == '\0')
		abort();
}

static void
run_args(char *text)
{
	static struct vtep_conf conf;
	char *words[MAX_WORDS], *save = NULL, *w;
	char err[VTEP_CONF_ERR_SIZE];
	int n = 0, rc;

	for (w = strtok_r(text, " \t\r\n\v\f", &save); w != NULL && n < MAX_WORDS;
			w = strtok_r(NULL, " \t\r\n\v\f", &save))
		words[n++] = w;
	vtep_conf_init(&conf);
	rc = vtep_conf_parse_args(&conf, n, words, err, sizeof(err));
	check_message(err, rc);
	if (rc == 0) {
		rc = vtep_conf_validate(&conf, err, sizeof(err));
		check_message(err, rc);
	}
}

static void
run_file(const uint8_t *data, size_t size)
{
	static struct vtep_conf conf;
	char err[VTEP_CONF_ERR_SIZE];
	FILE *f;
	int rc;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_conf.%d", (int)getpid());
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	vtep_conf_init(&conf);
	rc = vtep_conf_parse_file(&conf, path, err, sizeof(err));
	check_message(err, rc);
	if (rc == 0) {
		rc = vtep_conf_validate(&conf, err, sizeof(err));
		check_message(err, rc);
	}
}

static bool
names_config(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 6 <= size; i++)
		if (memcmp(data + i, "config", 6) == 0)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > 4096 || names_config(data, size))
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	/* NUL bytes separate words like spaces do. */
	for (size_t i = 0; i < size; i++)
		text[i] = data[i] == '\0' ? ' ' : (char)data[i];
	text[size] = '\0';
	run_args(text);
	free(text);
	run_file(data, size);
	unlink(path);
	return 0;
}

int
vtep_fuzz_replay_done(int n)
{
	printf("fuzz_conf: replayed %d inputs\n", n);
	return 0;
}
