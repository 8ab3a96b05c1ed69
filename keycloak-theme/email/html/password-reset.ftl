<#import "template.ftl" as layout>
<#import "../woundwo.ftl" as ww>
<#-- Reset-password e-mail: the link, how long it works, what to do if it was not you, help. -->
<@layout.emailLayout>
<@layout.heading>${msg("wwMailResetTitle")}</@layout.heading>
<@layout.p>${ww.greeting()}</@layout.p>
<@layout.p>${msg("wwMailResetIntro", (user.email)!"")}</@layout.p>
<@layout.button href=link>${msg("wwMailResetButton")}</@layout.button>
<@layout.p>${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))} ${msg("wwMailResetExpired")}</@layout.p>
<@layout.p>${msg("wwMailResetNotYou")}</@layout.p>
<@layout.rawLink href=link/>
<#if ww.prop("senderAddress")?has_content><@layout.p>${msg("wwMailSpamTip", ww.prop("senderAddress"))}</@layout.p></#if>
</@layout.emailLayout>
