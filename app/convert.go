package app

// runConvert is not built yet; its issue replaces this file.
func runConvert(env *Env, args []string) error {
	return usagef("convert: not available yet")
}
