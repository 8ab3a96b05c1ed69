<#import "template.ftl" as layout>
<#import "../woundwo.ftl" as ww>
<#-- Execute-actions e-mail. With UPDATE_PASSWORD alone it is the activation e-mail sent the day
     after a manager activates a partner: access is active, set a password, then sign in. -->
<#assign actions = requiredActions![]>
<#assign onlyPassword = actions?size == 1 && actions[0] == "UPDATE_PASSWORD">
<#assign signIn = ww.signInUrl(link)>
<@layout.emailLayout>
<#if onlyPassword>
<@layout.heading>${msg("wwMailActivationTitle")}</@layout.heading>
<@layout.p>${ww.greeting()}</@layout.p>
<@layout.p>${msg("wwMailActivationIntro", (user.email)!"")}</@layout.p>
<@layout.button href=link>${msg("wwMailActivationButton")}</@layout.button>
<@layout.p>${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))}</@layout.p>
<#if signIn?has_content>
<@layout.p>${msg("wwMailActivationSignIn")}<br><a href="${signIn}" style="color:#0B4F8A;">${signIn}</a></@layout.p>
</#if>
<@layout.p>${msg("wwMailActivationExpired")}</@layout.p>
<#else>
<@layout.heading>${msg("wwMailActionsTitle")}</@layout.heading>
<@layout.p>${ww.greeting()}</@layout.p>
<@layout.p>${msg("wwMailActionsIntro", (user.email)!"")}</@layout.p>
<ul style="margin:0 0 16px;padding-left:24px;">
<#list actions as action><li>${msg("requiredAction.${action}")}</li></#list>
</ul>
<@layout.button href=link>${msg("wwMailActionsButton")}</@layout.button>
<@layout.p>${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))} ${msg("wwMailActionsExpired")}</@layout.p>
</#if>
<@layout.rawLink href=link/>
<#if ww.prop("senderAddress")?has_content><@layout.p>${msg("wwMailSpamTip", ww.prop("senderAddress"))}</@layout.p></#if>
</@layout.emailLayout>
