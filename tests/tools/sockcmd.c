/*
 * sockcmd PATH LINE: sends LINE (and a newline) to the Unix stream socket
 * PATH and prints everything it answers until it closes. The system tests
 * use it in the root to speak to a VMWP's control socket.
 * Exit status: 0 answered, 1 usage, 2 cannot connect or talk.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: sockcmd PATH LINE\n");
		return 1;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, argv[2], strlen(argv[2])) < 0 || write(fd, "\n", 1) != 1) {
		perror(argv[1]);
		return 2;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	return n < 0 ? 2 : 0;
}
