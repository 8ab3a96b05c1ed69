<#ftl output_format="plainText">
<#import "template.ftl" as layout>
<#import "../woundwo.ftl" as ww>
<#assign actions = requiredActions![]>
<#assign onlyPassword = actions?size == 1 && actions[0] == "UPDATE_PASSWORD">
<#assign signIn = ww.signInUrl(link)>
<#if onlyPassword>
${msg("wwMailActivationTitle")}

${ww.greeting()}

${msg("wwMailActivationIntro", (user.email)!"")}

${msg("wwMailActivationButton")}
<${link}>

${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))}
<#if signIn?has_content>

${msg("wwMailActivationSignIn")}
<${signIn}>
</#if>

${msg("wwMailActivationExpired")}
<#else>
${msg("wwMailActionsTitle")}

${ww.greeting()}

${msg("wwMailActionsIntro", (user.email)!"")}
<#list actions as action>
- ${msg("requiredAction.${action}")}
</#list>

${msg("wwMailActionsButton")}
<${link}>

${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))} ${msg("wwMailActionsExpired")}
</#if>

<#if ww.prop("senderAddress")?has_content>${msg("wwMailSpamTip", ww.prop("senderAddress"))}
</#if><@layout.footer/>
