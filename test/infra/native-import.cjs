// Node's own import(), loaded with Node's require: the test runner does not rewrite it, so a bundle imported
// through it loads as Lambda loads it, not through the runner's module transform.
module.exports = (specifier) => import(specifier);
