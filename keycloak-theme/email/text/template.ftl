<#ftl output_format="plainText">
<#import "../woundwo.ftl" as ww>
<#-- Footer shared by the WOUNDWO plain-text e-mails: replies are not read, where to get help. -->
<#macro footer>

-- 
${msg("wwMailFooterAutomatic")}
${msg("wwMailFooterHelp")}
<#if ww.helpUrl()?has_content>${msg("wwMailHelpLink")} <${ww.helpUrl()}>
</#if>
<#if ww.localProp("contactUrl")?has_content>${msg("wwMailContactLink")} <${ww.localProp("contactUrl")}>
</#if>
</#macro>
