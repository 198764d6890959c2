// The form post response mode: the answer of an authorization request, posted to the client's
// callback as soon as the page loads (templates/oauth_apps/form_post.html).
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
