"""`{% notifications_link %}`: the navigation's link to the notifications with the unread count
(templates/base.html), one indexed count per page for a team member, nothing for anyone else."""

from django import template

from core.web import TEAM_PERMISSION
from push.selectors import unread_count

register = template.Library()


@register.inclusion_tag("push/_nav_link.html", takes_context=True)
def notifications_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(TEAM_PERMISSION):
        return {"show": False}
    path = request.path
    return {"show": True, "unread": unread_count(user), "current": path.startswith("/notifications/")}
