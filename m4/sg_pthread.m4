dnl SG_PTHREAD: find pthread_create in libc (glibc >= 2.34) or
dnl -lpthread, and set PTHREAD_LIBS.
AC_DEFUN([SG_PTHREAD], [
	sg_save_LIBS="$LIBS"
	AC_SEARCH_LIBS([pthread_create], [pthread], [],
		[AC_MSG_ERROR([POSIX threads not found])])
	PTHREAD_LIBS="$LIBS"
	LIBS="$sg_save_LIBS"
	AC_SUBST([PTHREAD_LIBS])
])
