// Package declared reads the declared side of an audit: a local directory
// or a Git repository (cloned with go-git) holding plain YAML or JSON
// manifests, multi-document files and kustomizations (built with
// sigs.k8s.io/kustomize/api). Every object remembers the file and line it
// was declared at. Files that are not Kubernetes manifests are ignored; a
// malformed document becomes a findings.Problem with its file and line and
// everything else is still read.
//
// The tree is read as untrusted input, in bounded time and memory:
//
//   - Nothing outside the tree is read. Symbolic links to files inside it
//     are followed; links that lead out of it (to a file, a directory or a
//     device), link loops and broken links are problems on the link, and
//     links to directories are not followed. Kustomize reads its files
//     through the same checks, so a base or resource out of the tree fails
//     that kustomization's build.
//   - Only regular files are read (a named pipe is a problem, not a hang),
//     each at most Options.MaxFileBytes (DefaultMaxFileBytes, 8 MiB); a
//     larger file is a problem naming its size and the limit.
//   - A YAML document whose aliases expand to more than a million nodes
//     (and ten times its own size: a "billion laughs" bomb), an anchor that
//     contains itself, nesting deeper than 10,000 levels and a key defined
//     twice are problems with their line; duplicate keys are found in time
//     linear in the document. Kustomize is refused the same alias bombs
//     before it expands them.
package declared
