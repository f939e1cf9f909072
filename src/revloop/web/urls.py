from django.contrib.auth import views as auth_views
from django.urls import path

from revloop.web import (
    brief,
    contract,
    goals,
    imports,
    inbox,
    insights,
    leads,
    marketing,
    pipeline,
    tracking,
    views,
)
from revloop.web.copy_check import copy_check

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("leads/", leads.leads, name="leads"),
    path("leads/export/", leads.leads_export, name="leads-export"),
    path("leads/reassign/", leads.leads_reassign, name="leads-reassign"),
    path("leads/views/", leads.leads_save_view, name="leads-view-save"),
    path("leads/views/<int:pk>/delete/", leads.leads_delete_view, name="leads-view-delete"),
    path("contract/", contract.contract, name="contract"),
    path("contract/v<int:number>/", contract.contract_version, name="contract-version"),
    path("contract/v<int:number>/backtest/", contract.contract_backtest, name="contract-backtest"),
    path("contract/v<int:number>/approve/", contract.contract_approve, name="contract-approve"),
    path("contract/v<int:number>/reject/", contract.contract_reject, name="contract-reject"),
    path("contract/diff/", contract.contract_diff, name="contract-diff"),
    path("contract/propose/", contract.contract_propose, name="contract-propose"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/brief/", brief.person_brief, name="brief"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/<slug:action>/", inbox.inbox_action, name="inbox-action"),
    path("marketing/", marketing.marketing, name="marketing"),
    path("goals/", goals.goals, name="goals"),
    path("plan/", goals.plan, name="plan"),
    path("plan/goals/", goals.plan_goals, name="plan-goals"),
    path("insights/", insights.insights, name="insights"),
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("copy-check/", copy_check, name="copy-check"),
    path("imports/", imports.imports, name="imports"),
    path("settings/tracking/", tracking.tracking, name="tracking-settings"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The templates are named apart from the admin's, which would otherwise win.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/reset_form.html",
            email_template_name="registration/reset_email.txt",
            subject_template_name="registration/reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
