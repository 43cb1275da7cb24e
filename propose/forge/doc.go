// Package forge is what propose needs of a code forge: find the open pull
// request of a branch, open one, update its title and body, comment on it
// and close it. Gitea (forge/gitea), GitHub (forge/github) and GitLab
// (forge/gitlab, where pull requests are merge requests) implement the one
// small Forge interface.
//
// Tokens are read from a file or an environment variable before each call,
// so a rotated token takes effect at once, and never appear in an error.
package forge

// Manual check against the hosted forges (the tests use a real Gitea and
// httptest servers that implement the GitHub and GitLab endpoints used):
//
//	# a throwaway repository holding a manifest the cluster runs, and a token
//	# allowed to push and open pull requests (GitHub: contents and pull
//	# requests read/write; GitLab: api scope)
//	kubectl scale deployment/web --replicas 5
//	clusterscribe propose --declared https://github.com/ORG/REPO.git@main \
//	  --forge github --token-file ~/.config/gh-token
//	# a pull request from clusterscribe/propose/<cluster>/<ns>/deployment.apps/web;
//	# run it again: the same pull request, unchanged; scale back and run it
//	# again: a comment, the pull request closed, the branch deleted.
//	clusterscribe propose --declared https://gitlab.com/GROUP/REPO.git \
//	  --forge gitlab --token-env GITLAB_TOKEN   # the same, as merge requests
