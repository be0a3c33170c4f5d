package app

// runPlay is not built yet; its issue replaces this file.
func runPlay(env *Env, args []string) error {
	return usagef("play: not available yet")
}
