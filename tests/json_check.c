// SPDX-License-Identifier: GPL-2.0
/*
 * wg-json-check: is standard input one JSON text (RFC 8259)? For the
 * shell tests, which run where no python or jq is. Exits 0 if it is, 1
 * with the offset of the first error on stderr if not, 2 on a read error.
 * Nesting is limited to 64 levels, enough for what waitgroup prints.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *buf, *p;

static int value(int depth);

static void space(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

static int literal(const char *word)
{
	size_t len = strlen(word);

	if (strncmp(p, word, len))
		return 0;
	p += len;
	return 1;
}

static int string(void)
{
	int i;

	if (*p++ != '"')
		return 0;
	for (;;) {
		unsigned char c = *p++;

		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;	/* controls, and the end of the input */
		if (c != '\\')
			continue;
		c = *p++;
		if (c == 'u') {
			for (i = 0; i < 4; i++) {
				if (!isxdigit((unsigned char)*p++))
					return 0;
			}
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return 0;
		}
	}
}

static int digits(void)
{
	const char *start = p;

	while (isdigit((unsigned char)*p))
		p++;
	return p > start;
}

static int number(void)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!digits())
		return 0;
	if (*p == '.') {
		p++;
		if (!digits())
			return 0;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digits())
			return 0;
	}
	return 1;
}

/* An object's members or an array's elements, up to @close. */
static int members(int depth, int object, char close)
{
	space();
	if (*p == close) {
		p++;
		return 1;
	}
	for (;;) {
		space();
		if (object) {
			if (!string())
				return 0;
			space();
			if (*p++ != ':')
				return 0;
		}
		if (!value(depth + 1))
			return 0;
		space();
		if (*p == close) {
			p++;
			return 1;
		}
		if (*p++ != ',')
			return 0;
	}
}

static int value(int depth)
{
	if (depth > 64)
		return 0;
	space();
	switch (*p) {
	case '{':
		p++;
		return members(depth, 1, '}');
	case '[':
		p++;
		return members(depth, 0, ']');
	case '"':
		return string();
	case 't':
		return literal("true");
	case 'f':
		return literal("false");
	case 'n':
		return literal("null");
	default:
		return number();
	}
}

int main(void)
{
	size_t len = 0, size = 4096, n;
	char *b = malloc(size);

	while (b && (n = fread(b + len, 1, size - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == size)
			b = realloc(b, size *= 2);
	}
	if (!b || ferror(stdin)) {
		fprintf(stderr, "wg-json-check: cannot read standard input\n");
		return 2;
	}
	b[len] = '\0';
	buf = p = b;
	if (strlen(b) == len && value(0)) {
		space();
		if (!*p)
			return 0;
	}
	fprintf(stderr, "wg-json-check: not JSON at offset %ld\n", (long)(p - buf));
	return 1;
}
