<#ftl output_format="plainText">
<#import "template.ftl" as layout>
<#import "../woundwo.ftl" as ww>
${msg("wwMailResetTitle")}

${ww.greeting()}

${msg("wwMailResetIntro", (user.email)!"")}

${msg("wwMailResetButton")}
<${link}>

${msg("wwMailLinkValidity", linkExpirationFormatter(linkExpiration))} ${msg("wwMailResetExpired")}

${msg("wwMailResetNotYou")}

<#if ww.prop("senderAddress")?has_content>${msg("wwMailSpamTip", ww.prop("senderAddress"))}
</#if><@layout.footer/>
