dnl SG_CHECK_CFLAGS(VAR, FLAGS)
dnl Append to VAR each flag of FLAGS that the C compiler accepts with
dnl -Werror, so an old or foreign compiler never breaks the build.
AC_DEFUN([SG_CHECK_CFLAGS], [
	for sg_flag in m4_normalize([$2]); do
		AC_MSG_CHECKING([whether $CC accepts $sg_flag])
		sg_save_CFLAGS="$CFLAGS"
		CFLAGS="$CFLAGS -Werror $sg_flag"
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
			[AC_MSG_RESULT([yes]); $1="$$1 $sg_flag"],
			[AC_MSG_RESULT([no])])
		CFLAGS="$sg_save_CFLAGS"
	done
])
